import { AppError } from '../../lib/errors.js';

/**
 * Xero's limits, enforced before a call leaves and corrected by what Xero reports back:
 * per organisation at most 5 calls in flight, 60 in any rolling minute and 5,000 in a rolling day;
 * app-wide a minute limit across all organisations (`X-AppMinLimit-Remaining`). The remaining-counts
 * Xero sends (`X-MinLimit-Remaining`, `X-DayLimit-Remaining`) tighten our own counts when another
 * process of ours, or another app of the org, has been spending them.
 *
 * Time comes from an injectable Timer so tests run 300 calls through five virtual minutes instantly.
 */
export interface Timer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTimer: Timer = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface XeroLimitSettings {
  concurrent: number;
  perMinute: number;
  perDay: number;
}

export const XERO_LIMIT_SETTINGS: XeroLimitSettings = { concurrent: 5, perMinute: 60, perDay: 5000 };

const MINUTE = 60_000;
const DAY = 86_400_000;

interface OrgState {
  inFlight: number;
  waiters: (() => void)[];
  /** Start times of calls in the last 24 hours, oldest first. */
  starts: number[];
  /** Xero said the minute budget is spent: hold until then. */
  minuteBlockedUntil: number;
  /** Xero said the day budget is spent. */
  dayBlockedUntil: number;
}

/** The daily limit is hit: the caller parks the connection rather than retrying in a loop. */
export class DailyLimitError extends AppError {
  constructor(readonly until: Date) {
    super(
      'provider_rate_limited',
      `Xero's daily call limit is spent; the sync resumes after ${until.toISOString()}`,
      {
        retryable: false,
        retryAfterMs: 0,
        details: { problem: 'day', until: until.toISOString() },
      },
    );
  }
}

export class XeroLimiter {
  private readonly orgs = new Map<string, OrgState>();
  private appBlockedUntil = 0;

  constructor(
    readonly timer: Timer = realTimer,
    readonly settings: XeroLimitSettings = XERO_LIMIT_SETTINGS,
  ) {}

  private org(tenantId: string): OrgState {
    let s = this.orgs.get(tenantId);
    if (!s) {
      s = { inFlight: 0, waiters: [], starts: [], minuteBlockedUntil: 0, dayBlockedUntil: 0 };
      this.orgs.set(tenantId, s);
    }
    return s;
  }

  /** Run one call for an org inside the limits; `headers` of its answer update what we know. */
  async run<T>(
    tenantId: string,
    fn: () => Promise<T>,
    headersOf: (r: T) => Record<string, string>,
  ): Promise<T> {
    const s = this.org(tenantId);
    await this.acquire(s);
    try {
      const r = await fn();
      this.observe(s, headersOf(r));
      return r;
    } catch (e) {
      const h = (e as { details?: { headers?: Record<string, string> } }).details?.headers;
      if (h) this.observe(s, h);
      throw e;
    } finally {
      s.inFlight--;
      s.waiters.shift()?.();
    }
  }

  private async acquire(s: OrgState): Promise<void> {
    for (;;) {
      if (s.inFlight >= this.settings.concurrent) {
        await new Promise<void>((resolve) => s.waiters.push(resolve));
        continue;
      }
      const now = this.timer.now();
      while (s.starts.length > 0 && (s.starts[0] ?? 0) <= now - DAY) s.starts.shift();
      if (s.starts.length >= this.settings.perDay || s.dayBlockedUntil > now) {
        const until = Math.max(s.dayBlockedUntil, (s.starts[0] ?? now) + DAY);
        throw new DailyLimitError(new Date(until));
      }
      const inMinute = s.starts.length - lowerBound(s.starts, now - MINUTE + 1);
      let wait = 0;
      if (inMinute >= this.settings.perMinute) {
        const oldestInWindow = s.starts[s.starts.length - this.settings.perMinute] ?? now;
        wait = oldestInWindow + MINUTE - now;
      }
      wait = Math.max(wait, s.minuteBlockedUntil - now, this.appBlockedUntil - now);
      if (wait > 0) {
        await this.timer.sleep(wait);
        continue;
      }
      s.inFlight++;
      s.starts.push(now);
      return;
    }
  }

  private observe(s: OrgState, h: Record<string, string>): void {
    // a 429 says exactly how long to wait (Retry-After): `hold` applies that, not a guess
    if (h['retry-after'] !== undefined) return;
    const now = this.timer.now();
    if (h['x-minlimit-remaining'] === '0')
      s.minuteBlockedUntil = Math.max(s.minuteBlockedUntil, now + MINUTE);
    if (h['x-appminlimit-remaining'] === '0')
      this.appBlockedUntil = Math.max(this.appBlockedUntil, now + MINUTE);
    if (h['x-daylimit-remaining'] === '0') s.dayBlockedUntil = Math.max(s.dayBlockedUntil, now + DAY);
  }

  /** After a 429: hold the org (or the whole app) for Retry-After. */
  hold(tenantId: string, problem: string | null, ms: number): void {
    const until = this.timer.now() + ms;
    if (problem === 'appminute') this.appBlockedUntil = Math.max(this.appBlockedUntil, until);
    else if (problem === 'day') this.org(tenantId).dayBlockedUntil = until;
    else this.org(tenantId).minuteBlockedUntil = Math.max(this.org(tenantId).minuteBlockedUntil, until);
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
