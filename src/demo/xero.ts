import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createXeroConnector } from '../connectors/xero/connector.js';
import { xeroReplayHandlers } from '../connectors/xero/replay.js';
import { connections } from '../db/schema/index.js';
import { runSync } from '../sync/run.js';
import type { DemoPipeline } from './pipelines.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), 'data');
const dataset = () =>
  JSON.parse(readFileSync(join(DATA, 'xero-sample-firm.json'), 'utf8')) as Record<string, unknown> & {
    tenantId: string;
    connectionId: string;
  };

/** Hale & Hart LLP, a small US law firm on Xero. */
export const xeroDemo: DemoPipeline = {
  provider: 'xero',
  label: 'Xero',
  firm: { name: 'Hale & Hart LLP', baseCurrency: 'USD', timezone: 'America/New_York' },
  handlers: () => xeroReplayHandlers(dataset() as never),
  async pull(deps, firmId) {
    const data = dataset();
    const [conn] = await deps.db
      .insert(connections)
      .values({
        firmId,
        provider: 'xero',
        tenantId: data.tenantId,
        providerConnectionId: data.connectionId,
        displayName: 'Hale & Hart LLP (Xero, recorded)',
        status: 'active',
      })
      .returning();
    const connector = createXeroConnector({ clock: deps.clock, logger: deps.logger });
    const report = await runSync({ db: deps.db, logger: deps.logger }, connector, {
      firmId,
      connectionId: conn!.id,
      tenantId: data.tenantId,
      accessToken: async () => 'demo-recorded-responses',
      logger: deps.logger,
      firm: { timezone: this.firm.timezone, baseCurrency: this.firm.baseCurrency },
    });
    return { connectionId: conn!.id, report };
  },
  statements: ['statements/operating-2026-11.ofx', 'statements/trust-2026-11.ofx'],
};

export const DEMO_DATA_DIR = DATA;
