import { z } from 'zod';
import { CurrencyCode } from './money.js';

export const Firm = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(200),
  baseCurrency: CurrencyCode,
  timezone: z.string().min(1),
});
export type Firm = z.infer<typeof Firm>;
