import { z } from 'zod';

export const ProviderId = z.enum(['xero', 'qbo', 'stripe', 'files']);
export type ProviderId = z.infer<typeof ProviderId>;

/** A provider's own identifier for a record (Xero GUID, QBO Id, Stripe id). */
export const ExternalId = z.string().min(1);

export const TaxMode = z.enum(['exclusive', 'inclusive', 'none']);
export type TaxMode = z.infer<typeof TaxMode>;

/** Document life cycle across providers. */
export const DocStatus = z.enum(['draft', 'submitted', 'authorised', 'paid', 'voided', 'deleted']);
export type DocStatus = z.infer<typeof DocStatus>;
