import { z } from 'zod';
import { ExternalId } from './common.js';

export const Contact = z.object({
  externalId: ExternalId,
  name: z.string().min(1),
  email: z.string().nullable(),
  accountNumber: z.string().nullable(),
  taxNumber: z.string().nullable(),
  isCustomer: z.boolean(),
  status: z.enum(['active', 'archived', 'deleted']),
  /** A QBO sub-customer's parent, where the provider models matters as child customers. */
  parentExternalId: z.string().nullable(),
});
export type Contact = z.infer<typeof Contact>;
