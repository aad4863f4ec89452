import { z } from 'zod';
import { ExternalId } from './common.js';
import { Money } from './money.js';

/** An engagement or matter: a Xero project, a QBO sub-customer. */
export const Matter = z.object({
  externalId: ExternalId,
  contactExternalId: z.string().nullable(),
  name: z.string().min(1),
  status: z.enum(['open', 'closed', 'deleted']),
  estimate: Money.nullable(),
});
export type Matter = z.infer<typeof Matter>;
