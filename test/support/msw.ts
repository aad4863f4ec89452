import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';

/**
 * The one msw server of a test file. Every outbound call must be served by a handler (unhandled requests
 * fail the test); loopback traffic (the app under test, an in-process SQS server) goes through.
 */
const loopback = http.all(/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//, () => passthrough());

export const server = setupServer(loopback);

/** Requests the providers received, for assertions. */
export function recordRequests(): { method: string; url: string; headers: Headers; body: string }[] {
  const seen: { method: string; url: string; headers: Headers; body: string }[] = [];
  server.events.on('request:start', async ({ request }) => {
    if (/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])/.test(request.url)) return;
    seen.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: await request.clone().text(),
    });
  });
  return seen;
}
