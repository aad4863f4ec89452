/**
 * QBO's per-realm limits, enforced before a request leaves: at most `concurrent` in flight and at most
 * `perMinute` started in any rolling 60 seconds. Time comes from an injectable timer, so a test with a fake
 * clock can drive a burst of 1,200 calls in virtual time.
 */
export interface Timer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTimer: Timer = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface LimiterStats {
  inFlight: number;
  maxInFlight: number;
  started: number;
}

export class RealmLimiter {
  private inFlight = 0;
  private readonly starts: number[] = [];
  private readonly waiting: (() => void)[] = [];
  readonly stats: LimiterStats = { inFlight: 0, maxInFlight: 0, started: 0 };

  constructor(
    private readonly limits: { perMinute: number; concurrent: number },
    private readonly timer: Timer = realTimer,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    // a concurrency slot first, then a place in the minute window
    while (this.inFlight >= this.limits.concurrent) {
      await new Promise<void>((r) => this.waiting.push(r));
    }
    this.inFlight++;
    this.stats.inFlight = this.inFlight;
    for (;;) {
      const now = this.timer.now();
      while (this.starts.length > 0 && (this.starts[0] ?? 0) <= now - 60_000) this.starts.shift();
      if (this.starts.length < this.limits.perMinute) {
        this.starts.push(now);
        break;
      }
      await this.timer.sleep((this.starts[0] ?? now) + 60_000 - now);
    }
    this.stats.started++;
    this.stats.inFlight = this.inFlight;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
  }

  private release(): void {
    this.inFlight--;
    this.stats.inFlight = this.inFlight;
    this.waiting.shift()?.();
  }
}

/** One limiter per realm in this process (several workers each hold their own: see README). */
const limiters = new Map<string, RealmLimiter>();

export function limiterFor(
  realmId: string,
  limits: { perMinute: number; concurrent: number },
  timer?: Timer,
): RealmLimiter {
  let l = limiters.get(realmId);
  if (!l) {
    l = new RealmLimiter(limits, timer);
    limiters.set(realmId, l);
  }
  return l;
}
