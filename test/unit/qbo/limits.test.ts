import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { QBO_LIMITS, QboClient } from '../../../src/connectors/qbo/client.js';
import { RealmLimiter, type Timer } from '../../../src/connectors/qbo/limiter.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';

const REALM = '4620816365178024360';
const QUERY = `https://quickbooks.api.intuit.com/v3/company/${REALM}/query`;

/**
 * Virtual time: sleeping moves the clock, nothing waits for real. When `busy` is given, time only moves
 * once every slot holder is asleep (no request is on its way), so a request's arrival time is the time
 * it was let through.
 */
function fakeTimer(busy?: () => number): Timer & { slept: number[] } {
  let t = Date.parse('2026-12-03T09:00:00Z');
  let sleepers = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      const target = t + ms;
      sleepers++;
      await Promise.resolve();
      while (busy && busy() > sleepers) await new Promise((r) => setImmediate(r));
      sleepers--;
      t = Math.max(t, target);
    },
  };
}

const client = (timer: Timer) =>
  new QboClient({
    realmId: REALM,
    accessToken: async () => 'test-token-for-the-limits-test',
    environment: 'production',
    logger: silentLogger,
    timer,
    limiter: new RealmLimiter(QBO_LIMITS, timer),
  });

describe('QBO per-realm limits', () => {
  it('keeps a burst of 1,200 calls to at most 10 in flight and 500 in any minute', async () => {
    let limiter: RealmLimiter | null = null;
    const timer = fakeTimer(() => limiter?.stats.inFlight ?? 0);
    limiter = new RealmLimiter(QBO_LIMITS, timer);
    let inFlight = 0;
    let maxInFlight = 0;
    const starts: number[] = [];
    server.use(
      http.get(QUERY, async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        starts.push(timer.now());
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return HttpResponse.json({
          QueryResponse: { startPosition: 1, maxResults: 0 },
          time: new Date(timer.now()).toISOString(),
        });
      }),
    );
    const c = new QboClient({
      realmId: REALM,
      accessToken: async () => 'test-token-for-the-limits-test',
      environment: 'production',
      logger: silentLogger,
      timer,
      limiter,
    });
    await Promise.all(
      Array.from({ length: 1200 }, (_, i) => c.query('Customer', `Id = '${i + 1}'`, 'Id', 1, 1)),
    );
    expect(starts).toHaveLength(1200);
    expect(maxInFlight).toBeLessThanOrEqual(10);
    expect(maxInFlight).toBeGreaterThan(1);
    starts.sort((a, b) => a - b);
    // any 501 consecutive starts span at least a minute
    for (let i = 0; i + 500 < starts.length; i++)
      expect(starts[i + 500]! - starts[i]!).toBeGreaterThanOrEqual(60_000);
    // and the burst took three windows, not more
    expect(starts.at(-1)! - starts[0]!).toBeLessThan(3 * 60_000);
  }, 180_000);

  it('waits and retries after a 429 that arrives as XML (ThrottleExceeded)', async () => {
    const timer = fakeTimer();
    const throttle = jsonFixture<{ body: string }>('qbo', 'fault-3001-throttle-exceeded-xml.json');
    let calls = 0;
    server.use(
      http.get(QUERY, () => {
        calls++;
        if (calls === 1)
          return new HttpResponse(throttle.body, {
            status: 429,
            headers: { 'Content-Type': 'application/xml' },
          });
        return HttpResponse.json({
          QueryResponse: { Customer: [{ Id: '1' }], startPosition: 1, maxResults: 1 },
          time: '2026-12-03T01:00:00-08:00',
        });
      }),
    );
    const page = await client(timer).query('Customer', null, 'Id', 1, 1000);
    expect(calls).toBe(2);
    expect(page.items).toEqual([{ Id: '1' }]);
    expect(timer.slept).toEqual([60_000]);
  });

  it('waits as long as Retry-After says', async () => {
    const timer = fakeTimer();
    let calls = 0;
    server.use(
      http.get(QUERY, () => {
        calls++;
        if (calls === 1)
          return HttpResponse.json(
            { Fault: { Error: [{ Message: 'ThrottleExceeded', code: '3001' }], type: 'SERVICE' } },
            { status: 429, headers: { 'Retry-After': '7' } },
          );
        return HttpResponse.json({ QueryResponse: {}, time: '2026-12-03T01:00:00-08:00' });
      }),
    );
    await client(timer).query('Customer', null, 'Id', 1, 1000);
    expect(timer.slept).toEqual([7000]);
  });

  it('gives up after repeated throttling with provider_rate_limited', async () => {
    const timer = fakeTimer();
    server.use(
      http.get(QUERY, () => HttpResponse.json({ Fault: { Error: [{ code: '3001' }] } }, { status: 429 })),
    );
    await expect(client(timer).query('Customer', null, 'Id', 1, 1000)).rejects.toMatchObject({
      code: 'provider_rate_limited',
      retryable: true,
    });
    expect(timer.slept).toHaveLength(5);
  });

  it('gives up on a call that hangs with provider_timeout, then retries it', async () => {
    const timer = fakeTimer();
    let calls = 0;
    server.use(
      http.get(QUERY, async () => {
        calls++;
        if (calls === 1) await new Promise((r) => setTimeout(r, 300));
        return HttpResponse.json({ QueryResponse: {}, time: '2026-12-03T01:00:00-08:00' });
      }),
    );
    const c = new QboClient({
      realmId: REALM,
      accessToken: async () => 'test-token-for-the-limits-test',
      environment: 'production',
      logger: silentLogger,
      timer,
      limiter: new RealmLimiter(QBO_LIMITS, timer),
      timeoutMs: 50,
    });
    await c.query('Customer', null, 'Id', 1, 1000);
    expect(calls).toBe(2);
    const once = new QboClient({
      realmId: REALM,
      accessToken: async () => 'test-token-for-the-limits-test',
      environment: 'production',
      logger: silentLogger,
      timer,
      limiter: new RealmLimiter(QBO_LIMITS, timer),
      timeoutMs: 50,
      maxRetries: 0,
    });
    calls = 0;
    await expect(once.query('Customer', null, 'Id', 1, 1000)).rejects.toMatchObject({
      code: 'provider_timeout',
      retryable: true,
    });
  });
});
