import type { ProviderId } from '../canonical/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Connector } from './connector.js';
import { createQboConnector } from './qbo/connector.js';
import { createXeroConnector } from './xero/connector.js';

export interface RegistryOptions {
  clock: Clock;
  logger: Logger;
  qboEnvironment: 'sandbox' | 'production';
}

/**
 * The pull connector of each provider (exhaustive). Stripe pulls through its own job (its objects are
 * not books documents) and statement files are imported, not pulled: both answer null.
 */
export function pullConnectorFor(provider: ProviderId, opts: RegistryOptions): Connector | null {
  switch (provider) {
    case 'xero':
      return createXeroConnector({ clock: opts.clock, logger: opts.logger });
    case 'qbo':
      return createQboConnector({ environment: opts.qboEnvironment, clock: opts.clock });
    case 'stripe':
    case 'files':
      return null;
    default: {
      const never: never = provider;
      throw new Error(`unknown provider ${String(never)}`);
    }
  }
}
