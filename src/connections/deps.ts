import type { Env } from '../config/env.js';
import type { Db } from '../db/types.js';
import type { Clock } from '../lib/clock.js';
import { type SecretBox, secretBoxFor } from '../lib/crypto.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import {
  isOAuthProvider,
  type OAuthProviderId,
  type ProviderOAuth,
  type ProviderResolver,
  providersFromConfig,
} from './providers.js';

/**
 * What the connections area needs. AppDeps satisfies it; `providers` overrides the identity endpoints
 * (tests, other processes); `services.oauthProviders` on AppDeps does the same for the HTTP app.
 */
export interface ConnectionsDeps {
  config: Env;
  db: Db;
  logger: Logger;
  clock: Clock;
  providers?: ProviderResolver;
  services?: Record<string, unknown>;
}

const resolvers = new WeakMap<Env, ProviderResolver>();

export function providerFor(deps: ConnectionsDeps, id: string): ProviderOAuth {
  if (!isOAuthProvider(id)) throw new AppError('bad_request', `provider ${id} does not connect by OAuth`);
  const override = deps.providers ?? (deps.services?.oauthProviders as ProviderResolver | undefined);
  if (override) return override(id as OAuthProviderId);
  let r = resolvers.get(deps.config);
  if (!r) {
    r = providersFromConfig(deps.config);
    resolvers.set(deps.config, r);
  }
  return r(id);
}

export const boxOf = (deps: Pick<ConnectionsDeps, 'config'>): SecretBox => secretBoxFor(deps.config);
