import { z } from 'zod';

/**
 * The Stripe payloads we read, parsed at the boundary (unknown fields are ignored; the raw object is
 * kept beside the canonical record). Expandable fields arrive as an id or as the object.
 */
const Metadata = z.record(z.string(), z.string()).nullable().optional();

const idOf = <T extends z.ZodTypeAny>(obj: T) => z.union([z.string(), obj]).nullable().optional();
const Expandable = z.object({ id: z.string() }).loose();

export const WireFeeDetail = z.object({
  amount: z.number().int(),
  currency: z.string(),
  description: z.string().nullable().optional(),
  type: z.string(),
});

export const WireBalanceTransaction = z.object({
  id: z.string().startsWith('txn_'),
  object: z.literal('balance_transaction').optional(),
  amount: z.number().int(),
  fee: z.number().int(),
  net: z.number().int(),
  currency: z.string().length(3),
  exchange_rate: z.number().nullable().optional(),
  type: z.string(),
  reporting_category: z.string(),
  source: idOf(Expandable),
  status: z.enum(['pending', 'available']),
  created: z.number().int(),
  available_on: z.number().int(),
  fee_details: z.array(WireFeeDetail).default([]),
  description: z.string().nullable().optional(),
});
export type WireBalanceTransaction = z.infer<typeof WireBalanceTransaction>;

export const WirePaymentIntentLite = z
  .object({
    id: z.string(),
    metadata: Metadata,
  })
  .loose();

export const WireCharge = z.object({
  id: z.string().startsWith('ch_').or(z.string().startsWith('py_')),
  object: z.literal('charge').optional(),
  amount: z.number().int(),
  amount_captured: z.number().int().default(0),
  amount_refunded: z.number().int().default(0),
  currency: z.string().length(3),
  status: z.enum(['succeeded', 'pending', 'failed']),
  captured: z.boolean().default(false),
  refunded: z.boolean().default(false),
  disputed: z.boolean().default(false),
  paid: z.boolean().default(false),
  created: z.number().int(),
  customer: idOf(Expandable),
  description: z.string().nullable().optional(),
  metadata: Metadata,
  payment_intent: idOf(WirePaymentIntentLite),
  balance_transaction: idOf(WireBalanceTransaction),
});
export type WireCharge = z.infer<typeof WireCharge>;

export const WirePaymentIntent = z.object({
  id: z.string().startsWith('pi_'),
  object: z.literal('payment_intent').optional(),
  status: z.string(),
  amount: z.number().int(),
  amount_received: z.number().int().default(0),
  currency: z.string().length(3),
  metadata: Metadata,
  latest_charge: idOf(WireCharge),
});
export type WirePaymentIntent = z.infer<typeof WirePaymentIntent>;

export const WireRefund = z.object({
  id: z.string().startsWith('re_').or(z.string().startsWith('pyr_')),
  object: z.literal('refund').optional(),
  amount: z.number().int(),
  currency: z.string().length(3),
  status: z.string().nullable(),
  charge: idOf(Expandable),
  payment_intent: idOf(Expandable),
  balance_transaction: idOf(Expandable),
  created: z.number().int(),
});
export type WireRefund = z.infer<typeof WireRefund>;

export const WireDispute = z.object({
  id: z.string().startsWith('dp_').or(z.string().startsWith('du_')),
  object: z.literal('dispute').optional(),
  amount: z.number().int(),
  currency: z.string().length(3),
  status: z.string(),
  reason: z.string().nullable().optional(),
  charge: idOf(WireCharge.partial().extend({ id: z.string() })),
  payment_intent: idOf(Expandable),
  balance_transactions: z.array(WireBalanceTransaction).default([]),
  metadata: Metadata,
  created: z.number().int(),
});
export type WireDispute = z.infer<typeof WireDispute>;

export const WirePayout = z.object({
  id: z.string().startsWith('po_'),
  object: z.literal('payout').optional(),
  amount: z.number().int(),
  currency: z.string().length(3),
  status: z.enum(['paid', 'pending', 'in_transit', 'canceled', 'failed']),
  automatic: z.boolean(),
  arrival_date: z.number().int(),
  created: z.number().int(),
  balance_transaction: idOf(Expandable),
  failure_code: z.string().nullable().optional(),
  statement_descriptor: z.string().nullable().optional(),
});
export type WirePayout = z.infer<typeof WirePayout>;

export const WireEvent = z.object({
  id: z.string().startsWith('evt_'),
  object: z.literal('event'),
  type: z.string(),
  created: z.number().int(),
  account: z.string().nullable().optional(),
  livemode: z.boolean().optional(),
  data: z.object({ object: z.object({ id: z.string(), object: z.string() }).loose() }),
});
export type WireEvent = z.infer<typeof WireEvent>;

export const WireList = z.object({
  object: z.literal('list'),
  data: z.array(z.unknown()),
  has_more: z.boolean(),
});

/** The id of an expandable field, whichever form it came in. */
export function refId(v: string | { id: string } | null | undefined): string | null {
  if (v == null) return null;
  return typeof v === 'string' ? v : v.id;
}
