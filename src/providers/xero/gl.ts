import { and, eq, gte, isNull, like, lte, sql } from 'drizzle-orm';
import type { CanonicalRecord } from '../../connectors/connector.js';
import {
  compareWithTrialBalance,
  deriveGlPostings,
  financialYearStart,
  parseTrialBalance,
  type TrialBalanceDifference,
} from '../../connectors/xero/gl.js';
import { raiseException } from '../../db/repos/exceptions.js';
import {
  accounts,
  bankTransactions,
  connections,
  creditNotes,
  glPostings,
  invoices,
  payments,
} from '../../db/schema/index.js';
import { upsertRecords } from '../../sync/upsert.js';
import { auth, loadXeroContext, type XeroDeps } from './context.js';

export interface GlCheckResult {
  postings: number;
  checks: { asOf: string; ok: boolean; differences: TrialBalanceDifference[] }[];
}

/** Xero's default chart: 610 Accounts Receivable, 820 Sales Tax/GST. */
const DEFAULT_AR = '610';
const DEFAULT_TAX = '820';

function lastMonthEnd(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return d.toISOString().slice(0, 10);
}

/**
 * Without Journals: rebuild the GL from the pulled documents (their raw Xero JSON) plus the manual
 * journals, replace the previous derivation, and check each period end against Xero's TrialBalance.
 * A difference is raised as a `balance_mismatch` exception on the trial balance; the connection's
 * GL source stays `derived` and its status is not touched.
 */
export async function deriveAndCheckGl(
  deps: XeroDeps,
  connectionId: string,
  opts: { periodEnds?: readonly string[] } = {},
): Promise<GlCheckResult> {
  const { ctx, client, clock } = await loadXeroContext(deps, connectionId);
  const scope = { firmId: ctx.firmId, connectionId };
  const db = deps.db;
  const live = <T extends typeof invoices | typeof creditNotes | typeof payments | typeof bankTransactions>(
    t: T,
  ) =>
    db
      .select({ raw: t.raw })
      .from(t as typeof invoices)
      .where(and(eq(t.connectionId, connectionId), isNull(t.vanishedAt)));
  const raws = async (t: Parameters<typeof live>[0]) =>
    (await live(t)).map((r) => (r.raw ?? {}) as Record<string, unknown>);
  const chart = await db
    .select({
      id: accounts.externalId,
      code: accounts.code,
      isReceivable: accounts.isReceivable,
      raw: accounts.raw,
    })
    .from(accounts)
    .where(eq(accounts.connectionId, connectionId));
  const receivableCode = chart.find((a) => a.isReceivable)?.code ?? DEFAULT_AR;
  const taxCode =
    chart.find((a) => (a.raw as { SystemAccount?: unknown } | null)?.SystemAccount === 'GST')?.code ??
    DEFAULT_TAX;
  const postings = deriveGlPostings(
    {
      invoices: await raws(invoices),
      creditNotes: await raws(creditNotes),
      payments: await raws(payments),
      bankTransactions: await raws(bankTransactions),
    },
    {
      baseCurrency: ctx.firm.baseCurrency,
      receivableCode,
      taxCode,
      codeOfAccountId: new Map(chart.flatMap((a) => (a.code ? [[a.id, a.code] as const] : []))),
    },
  );
  const fresh = new Set(postings.map((p) => p.externalId));
  await db.transaction(async (tx) => {
    const old = await tx
      .select({ id: glPostings.externalId })
      .from(glPostings)
      .where(
        and(
          eq(glPostings.connectionId, connectionId),
          like(glPostings.externalId, 'derived:%'),
          isNull(glPostings.vanishedAt),
        ),
      );
    const records: CanonicalRecord[] = [
      ...postings.map((p) => ({ kind: 'gl_posting' as const, data: p, raw: null })),
      ...old
        .filter((o) => !fresh.has(o.id))
        .map((o) => ({
          kind: 'deletion' as const,
          data: { externalId: o.id, of: 'gl_posting' as const },
          raw: null,
        })),
    ];
    await upsertRecords(tx, scope, records);
  });

  const checks: GlCheckResult['checks'] = [];
  const orgRes = await client.organisation(await auth(ctx));
  const orgs = orgRes.data.Organisations;
  const org = Array.isArray(orgs) ? (orgs[0] as Record<string, unknown> | undefined) : undefined;
  const profitAndLoss = new Set(
    (
      await db
        .select({ code: accounts.code, cls: accounts.class })
        .from(accounts)
        .where(eq(accounts.connectionId, connectionId))
    ).flatMap((a) => (a.code && (a.cls === 'revenue' || a.cls === 'expense') ? [a.code] : [])),
  );
  for (const asOf of opts.periodEnds ?? [lastMonthEnd(clock.now())]) {
    const res = await client.trialBalance({ ...(await auth(ctx)), date: asOf });
    const tb = parseTrialBalance(res.data, ctx.firm.baseCurrency);
    const sumsFrom = (from: string | null) =>
      db
        .select({ code: glPostings.accountCode, total: sql<string>`sum(${glPostings.amountMinor})::text` })
        .from(glPostings)
        .where(
          and(
            eq(glPostings.connectionId, connectionId),
            eq(glPostings.derived, true),
            isNull(glPostings.vanishedAt),
            lte(glPostings.date, asOf),
            ...(from ? [gte(glPostings.date, from)] : []),
          ),
        )
        .groupBy(glPostings.accountCode);
    const fyStart = financialYearStart(asOf, org);
    const cumulative = await sumsFrom(null);
    const ytd = fyStart ? new Map((await sumsFrom(fyStart)).map((r) => [r.code ?? '', r.total])) : null;
    // balance-sheet accounts carry their balance; P&L accounts count from the financial year's start
    const sums = cumulative.map((r) =>
      ytd && profitAndLoss.has(r.code ?? '') ? { code: r.code, total: ytd.get(r.code ?? '') ?? '0' } : r,
    );
    const byCode = new Map(sums.map((s) => [s.code ?? '', Number(s.total)]));
    const differences = compareWithTrialBalance(tb, byCode);
    checks.push({ asOf, ok: differences.length === 0, differences });
    if (differences.length > 0)
      await raiseException(db, {
        firmId: ctx.firmId,
        kind: 'balance_mismatch',
        subjectKind: 'trial_balance',
        subjectId: `${connectionId}:${asOf}`,
        reason: `the GL derived from Xero documents differs from Xero's trial balance at ${asOf} on ${differences.length} account(s)`,
        details: { connectionId, asOf, differences },
      });
  }
  await db
    .update(connections)
    .set({
      glSource: 'derived',
      settings: sql`${connections.settings} || ${JSON.stringify({ xeroGl: { source: 'derived', checkedAt: clock.now().toISOString(), checks } })}::jsonb`,
      updatedAt: clock.now(),
    })
    .where(eq(connections.id, connectionId));
  return { postings: postings.length, checks };
}
