// Requests-per-minute limiting for a hosted endpoint: a token bucket that
// refills at rpm/60 tokens a second and holds at most `burst` tokens, so calls
// are spaced evenly (burst 1) or may come in small bursts. Waiters are served
// in arrival order. The clock is injectable so tests need no real waiting.

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export class RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly perMs: number;

  constructor(
    readonly rpm: number,
    readonly burst = 1,
    private readonly clock: Clock = realClock,
  ) {
    if (!(rpm > 0 && Number.isFinite(rpm))) throw new RangeError(`rate limit: requests per minute must be a positive number, got ${rpm}`);
    if (!(burst >= 1 && Number.isInteger(burst))) throw new RangeError(`rate limit: burst must be a positive integer, got ${burst}`);
    this.perMs = rpm / 60_000;
    this.tokens = burst;
    this.last = clock.now();
  }

  private refill(): void {
    const t = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.last) * this.perMs);
    this.last = t;
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    // Chaining keeps arrival order: each taker waits for the one before it.
    const turn = this.queue.then(async () => {
      this.refill();
      while (this.tokens < 1) {
        await this.clock.sleep(Math.ceil((1 - this.tokens) / this.perMs));
        this.refill();
      }
      this.tokens -= 1;
    });
    this.queue = turn;
    return turn;
  }
}
