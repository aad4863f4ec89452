import { type ServerType, serve } from '@hono/node-server';
import { createApp } from './app.js';
import type { AppDeps } from './deps.js';

/** Serve the app on a port; resolves once listening. */
export async function startHttpServer(
  deps: AppDeps,
  port: number,
  host: string,
): Promise<{ server: ServerType; port: number; close(): Promise<void> }> {
  const app = createApp(deps);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
      resolve({
        server,
        port: info.port,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
