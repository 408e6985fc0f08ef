/**
 * A token bucket: `burst` tokens at most, refilled at `rate` tokens per
 * second. Pure: the caller passes the clock.
 *
 * @module
 */

/** Options of {@linkcode TokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens added per second. */
  rate: number;
  /** Most tokens held, i.e. the largest burst. */
  burst: number;
}

/**
 * Limits how often something may happen.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { TokenBucket } from "./token_bucket.ts";
 *
 * const bucket = new TokenBucket({ rate: 1, burst: 2 }, 0);
 * assertEquals([bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, false]);
 * assertEquals(bucket.take(1000), true);
 * ```
 */
export class TokenBucket {
  #rate: number;
  #burst: number;
  #tokens: number;
  #last: number;

  /**
   * @param options Rate and burst.
   * @param now Current time in milliseconds.
   */
  constructor(options: TokenBucketOptions, now: number) {
    this.#rate = options.rate;
    this.#burst = options.burst;
    this.#tokens = options.burst;
    this.#last = now;
  }

  /**
   * Takes one token if there is one.
   *
   * @param now Current time in milliseconds.
   * @returns `true` when a token was taken.
   */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(
      this.#burst,
      this.#tokens + (elapsed * this.#rate) / 1000,
    );
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
