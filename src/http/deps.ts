import type { Env } from '../config/env.js';
import type { Database } from '../db/client.js';
import type { Db } from '../db/types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Queue } from '../queue/port.js';

/**
 * Everything the HTTP app and the workers are built from. Areas add optional members here (queue,
 * connectors, secret box …) rather than reaching for globals.
 */
export interface AppDeps {
  config: Env;
  database: Database;
  db: Db;
  logger: Logger;
  clock: Clock;
  /** The job queue (src/queue): routes enqueue with `deps.queue?.send(…)`; set by serve and worker. */
  queue?: Queue;
  /** Area-specific services, typed by each area (see src/http/routes/*). */
  services?: Record<string, unknown>;
}

/** Variables set on the request context by middleware. */
export interface AppVariables {
  firmId: string;
  actor: string;
  apiKeyId: string;
}

export interface AppEnv {
  Variables: AppVariables;
}
