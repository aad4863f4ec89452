import { z } from 'zod';
import { ExternalId } from './common.js';
import { DecimalString } from './decimal.js';

/** A product or service the firm bills (QBO Item, Xero Item): what an invoice line points at. */
export const Item = z.object({
  externalId: ExternalId,
  name: z.string().min(1),
  sku: z.string().nullable(),
  /** The provider's type, lower-cased (`service`, `inventory`, `noninventory`, `category` …). */
  type: z.string().min(1),
  status: z.enum(['active', 'archived', 'deleted']),
  description: z.string().nullable(),
  /** Sales price per unit, exact. */
  unitPrice: DecimalString.nullable(),
  incomeAccountExternalId: z.string().nullable(),
});
export type Item = z.infer<typeof Item>;
