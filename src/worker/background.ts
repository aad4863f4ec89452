import type { AppDeps } from '../http/deps.js';

/**
 * Background work that runs beside the HTTP server in `serve` (the queue worker, schedules). The queue
 * issue fills it in; until then it only reports that it stopped.
 */
export async function startBackground(_deps: AppDeps): Promise<{ stop(): Promise<void> }> {
  return { stop: async () => {} };
}
