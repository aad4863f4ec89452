import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { createApiKey } from '../db/repos/api-keys.js';
import { importStatement } from '../db/repos/bank.js';
import { countExceptionsByKind } from '../db/repos/exceptions.js';
import { createFirm } from '../db/repos/firms.js';
import { reconcileFirm } from '../reconcile/index.js';
import type { DemoDeps, DemoPipeline } from './pipelines.js';
import { DEMO_DATA_DIR } from './xero.js';

/** The demo firm's API key: published in the README, valid only in the demo's own data folder. */
export const DEMO_API_KEY = 'lb_demo_hale_hart_sample_firm_key';

export interface DemoSummary {
  firm: { id: string; name: string; baseCurrency: string; timezone: string };
  provider: string;
  pulled: Record<string, { pulled: number; stored: number; errors: number }>;
  syncStatus: string;
  statements: { file: string; read: number; new: number; known: number }[];
  cash: {
    considered: number;
    credits: number;
    codedDirectly: number;
    alreadyInBooks: number;
    byReference: number;
    byClientAndAmount: number;
    toPerson: number;
  };
  exceptions: Record<string, number>;
  apiKey: string;
}

/**
 * The main job on a recorded sample firm: pull the books through the real connector (recorded responses),
 * import the bank statements, apply cash, list what needs a person.
 */
export async function runDemo(deps: DemoDeps, pipeline: DemoPipeline): Promise<DemoSummary> {
  const firm = await createFirm(deps.db, pipeline.firm);
  const { key } = await createApiKey(deps.db, {
    firmId: firm.id,
    name: 'demo',
    actor: 'demo',
    fixedKey: DEMO_API_KEY,
  });

  const replay = setupServer(...pipeline.handlers());
  replay.listen({ onUnhandledRequest: 'error' });
  let pull: Awaited<ReturnType<DemoPipeline['pull']>>;
  try {
    pull = await pipeline.pull(deps, firm.id);
  } finally {
    replay.close();
  }

  const statements: DemoSummary['statements'] = [];
  for (const rel of pipeline.statements) {
    const r = await importStatement(deps.db, {
      firmId: firm.id,
      actor: 'demo',
      content: readFileSync(join(DEMO_DATA_DIR, rel)),
      fileName: rel.split('/').pop()!,
    });
    statements.push({ file: rel.split('/').pop()!, read: r.linesRead, new: r.linesNew, known: r.linesKnown });
  }

  const cash = await reconcileFirm(deps.db, { firmId: firm.id, clock: deps.clock });
  const exceptions = await countExceptionsByKind(deps.db, firm.id);

  const pulled: DemoSummary['pulled'] = {};
  for (const [kind, s] of Object.entries(pull.report.kinds)) {
    pulled[kind] = { pulled: s.pulled, stored: s.inserted + s.updated, errors: s.errors };
  }
  return {
    firm,
    provider: pipeline.label,
    pulled,
    syncStatus: pull.report.status,
    statements,
    cash: {
      considered: cash.bankLinesConsidered,
      alreadyInBooks: cash.alreadyInBooks,
      byReference: cash.appliedByReference,
      byClientAndAmount: cash.appliedByContactAmount,
      credits: cash.creditsConsidered,
      // receipts the books coded straight to an account are checked too; they are not bank lines
      codedDirectly: cash.exceptionsByKind.receipt_coded_directly ?? 0,
      toPerson:
        Object.values(cash.exceptionsByKind).reduce((a, b) => a + b, 0) -
        (cash.exceptionsByKind.receipt_coded_directly ?? 0),
    },
    exceptions,
    apiKey: key,
  };
}

export function formatSummary(s: DemoSummary): string {
  const pad = (label: string, n: number | string, w = 28) => `  ${label.padEnd(w)}${String(n).padStart(5)}`;
  const lines = [
    `ledgerbridge demo: ${s.firm.name} on ${s.provider} (${s.firm.baseCurrency}, ${s.firm.timezone})`,
    '',
    `Pulled from ${s.provider} (sync ${s.syncStatus})`,
    ...Object.entries(s.pulled).map(
      ([k, v]) =>
        `${pad(k.replaceAll('_', ' '), v.pulled)}${v.errors ? `   (${v.errors} could not be taken in)` : ''}`,
    ),
    '',
    'Bank statements',
    ...s.statements.map(
      (st) =>
        `${pad(st.file, st.read)} ${st.read === 1 ? 'line' : 'lines'} read, ${st.new} new, ${st.known} already known`,
    ),
    '',
    'Cash application',
    pad('money-in bank lines', s.cash.considered),
    pad('unapplied client credits', s.cash.credits),
    pad('already in the books', s.cash.alreadyInBooks),
    pad('applied by invoice reference', s.cash.byReference),
    pad('applied by client and amount', s.cash.byClientAndAmount),
    pad('left for a person', s.cash.toPerson),
    `${pad('receipts coded to an account', s.cash.codedDirectly)}   (in the books, while an invoice is open)`,
    '',
    'Exceptions (open)',
    ...Object.entries(s.exceptions)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => pad(k, n)),
    pad(
      'total',
      Object.values(s.exceptions).reduce((a, b) => a + b, 0),
    ),
  ];
  return lines.join('\n');
}
