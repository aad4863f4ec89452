import type { RequestHandler } from 'msw';
import type { Db } from '../db/types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { SyncReport } from '../sync/run.js';

/**
 * A demo pipeline: a recorded sample firm of one provider. The demo replays the recorded API responses
 * (msw handlers: only the transport differs from production) through the real connector, sync,
 * statement import and reconcile code.
 */
export interface DemoDeps {
  db: Db;
  logger: Logger;
  clock: Clock;
}

export interface DemoPipeline {
  provider: 'xero' | 'qbo';
  /** Shown in the summary ("Xero", "QuickBooks Online"). */
  label: string;
  firm: { name: string; baseCurrency: string; timezone: string };
  /** The recorded provider API. */
  handlers(): RequestHandler[];
  /** Create the firm's connection and pull through the real connector and sync. */
  pull(deps: DemoDeps, firmId: string): Promise<{ connectionId: string; report: SyncReport }>;
  /** The firm's bank statements (paths inside src/demo/data), imported through the real importer. */
  statements: string[];
}

type Loader = () => Promise<DemoPipeline>;

/** One line per provider. */
export const PIPELINES: Record<string, Loader> = {
  xero: async () => (await import('./xero.js')).xeroDemo,
  qbo: async () => (await import('./qbo.js')).qboDemo,
};
