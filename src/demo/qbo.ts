import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createQboConnector } from '../connectors/qbo/connector.js';
import { createQboReplay, type QboDataset } from '../connectors/qbo/replay.js';
import { connections } from '../db/schema/index.js';
import { syncQbo } from '../providers/qbo/books.js';
import type { DemoPipeline } from './pipelines.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), 'data');
const dataset = () => JSON.parse(readFileSync(join(DATA, 'qbo', 'company.json'), 'utf8')) as QboDataset;

/**
 * Marsh & Pike LLP, a small US law firm on QuickBooks Online: a recorded company replayed through the
 * real connector (node-quickbooks, paging, mapping), sync and reconcile. It shows a payment carried to
 * the bank by a Deposit out of Undeposited Funds (already in the books), invoice-reference and
 * client-and-amount matches, a partial payment with an unapplied remainder, a payment orphaned by a void,
 * sub-customer matters, time activity, a journal entry and the GL / trial balance / aging reports.
 */
export const qboDemo: DemoPipeline = {
  provider: 'qbo',
  label: 'QuickBooks Online',
  firm: { name: 'Marsh & Pike LLP', baseCurrency: 'USD', timezone: 'America/Chicago' },
  handlers: () => createQboReplay(dataset()).handlers,
  async pull(deps, firmId) {
    const data = dataset();
    const [conn] = await deps.db
      .insert(connections)
      .values({
        firmId,
        provider: 'qbo',
        tenantId: data.realmId,
        displayName: 'Marsh & Pike LLP (QuickBooks Online, recorded)',
        status: 'active',
      })
      .returning();
    const connector = createQboConnector({
      environment: 'production',
      clock: deps.clock,
      reportsFrom: () => '2026-10-01',
    });
    const report = await syncQbo({ db: deps.db, logger: deps.logger }, connector, {
      firmId,
      connectionId: conn!.id,
      tenantId: data.realmId,
      accessToken: async () => 'demo-recorded-responses',
      logger: deps.logger,
      firm: { timezone: this.firm.timezone, baseCurrency: this.firm.baseCurrency },
    });
    return { connectionId: conn!.id, report };
  },
  statements: ['qbo/statements/operating-2026-11.ofx'],
};
