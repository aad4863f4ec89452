import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { listDecisions, openInvoices } from '../../reconcile/index.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { decodeCursor, PageQuery, pageOf, pageSchema } from '../pagination.js';

/** Cash application, read side: what the engine decided and why, and what is still open. */
export const DecisionView = z
  .object({
    id: z.uuid(),
    subject: z.object({ kind: z.string(), id: z.string() }),
    method: z.string().openapi({ example: 'reference' }),
    outcome: z.string().openapi({ example: 'applied' }),
    confidence: z.number().int().min(0).max(1000),
    evidence: z.record(z.string(), z.unknown()),
    decidedBy: z.string(),
    createdAt: z.string(),
  })
  .openapi('ReconciliationDecision');

export const OpenInvoiceView = z
  .object({
    id: z.uuid(),
    number: z.string().nullable(),
    reference: z.string().nullable(),
    contact: z.object({ externalId: z.string().nullable(), name: z.string().nullable() }),
    issueDate: z.string(),
    dueDate: z.string().nullable(),
    currency: z.string(),
    totalMinor: z.number().int(),
    openMinor: z.number().int().openapi({ description: 'total − Σ active applications, derived' }),
  })
  .openapi('OpenInvoice');

const list = createRoute({
  method: 'get',
  path: '/decisions',
  summary: 'Reconciliation decisions: method, confidence (0–1000) and evidence',
  request: {
    query: PageQuery.extend({
      subjectKind: z.enum(['bank_line', 'prepayment', 'bank_transaction']).optional(),
      outcome: z.enum(['already_in_books', 'applied', 'exception']).optional(),
    }),
  },
  responses: {
    200: {
      description: 'A page of decisions',
      content: { 'application/json': { schema: pageSchema(DecisionView) } },
    },
  },
});

const open = createRoute({
  method: 'get',
  path: '/open-invoices',
  summary: 'Invoices with an open balance (derived from applications)',
  request: { query: PageQuery },
  responses: {
    200: {
      description: 'A page of open invoices, oldest due first',
      content: { 'application/json': { schema: pageSchema(OpenInvoiceView) } },
    },
  },
});

export function decisionRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const rows = await listDecisions(deps.db, {
      firmId: c.get('firmId'),
      subjectKind: q.subjectKind,
      outcome: q.outcome,
      limit: q.limit + 1,
      after: decodeCursor(q.cursor),
    });
    const page = pageOf(rows, q.limit, (r) => ({ k: r.createdAt.toISOString(), id: r.id }));
    return c.json(
      {
        items: page.items.map((r) => ({
          id: r.id,
          subject: { kind: r.subjectKind, id: r.subjectId },
          method: r.method,
          outcome: r.outcome,
          confidence: r.confidence,
          evidence: r.evidence as Record<string, unknown>,
          decidedBy: r.decidedBy,
          createdAt: r.createdAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });
  app.openapi(open, async (c) => {
    const q = c.req.valid('query');
    const after = decodeCursor(q.cursor);
    // the list is small per firm (open invoices only) and ordered by the query; page over it in memory
    const all = await openInvoices(deps.db, c.get('firmId'));
    const start = after ? all.findIndex((i) => i.id === after.id) + 1 : 0;
    const page = pageOf(all.slice(start, start + q.limit + 1), q.limit, (i) => ({
      k: i.dueDate ?? '',
      id: i.id,
    }));
    return c.json(
      {
        items: page.items.map((i) => ({
          id: i.id,
          number: i.number,
          reference: i.reference,
          contact: { externalId: i.contactExternalId, name: i.contactName },
          issueDate: i.issueDate,
          dueDate: i.dueDate,
          currency: i.currency,
          totalMinor: i.totalMinor,
          openMinor: i.openMinor,
        })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });
  return app;
}
