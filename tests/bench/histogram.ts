/**
 * A latency histogram with a fixed relative error, like chatload's: exact
 * below 256 µs, then 128 sub-buckets per power of two (under 0.8 % error).
 * Recording is O(1) and allocation-free, so it can sit on the hot path of
 * millions of deliveries.
 *
 * @module
 */

const EXACT = 256;
const SUB_BUCKETS = 128;
// 2^31 µs is about 36 minutes: far beyond any deadline of the bench.
const MAX_EXPONENT = 31;

/**
 * Counts of latencies in microseconds, with percentiles.
 *
 * @example Percentiles of three values
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { LatencyHistogram } from "./histogram.ts";
 *
 * const histogram = new LatencyHistogram();
 * for (const us of [10, 20, 30]) histogram.record(us);
 * assertEquals(histogram.percentile(50), 20);
 * assertEquals(histogram.max, 30);
 * ```
 */
export class LatencyHistogram {
  #counts = new Float64Array(EXACT + (MAX_EXPONENT - 7) * SUB_BUCKETS);
  #count = 0;
  #sum = 0;
  #max = 0;

  /** Number of values recorded. */
  get count(): number {
    return this.#count;
  }

  /** Largest value recorded, exact; 0 when empty. */
  get max(): number {
    return this.#max;
  }

  /** Mean of the values recorded; 0 when empty. */
  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  /**
   * Records one value.
   *
   * @param us A latency in microseconds; negative values count as 0.
   */
  record(us: number): void {
    const value = us > 0 ? us : 0;
    this.#counts[_bucketOf(value)]!++;
    this.#count++;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
  }

  /**
   * The value below which `p` percent of the recorded values fall (the
   * middle of its bucket, never above the maximum).
   *
   * @param p A percentage from 0 to 100.
   * @returns The percentile in microseconds; 0 when empty.
   * @throws {RangeError} When `p` is outside 0..100.
   */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) {
      throw new RangeError(
        `Cannot take percentile ${p}: expected a number from 0 to 100`,
      );
    }
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(this.#count * p / 100));
    let seen = 0;
    for (let bucket = 0; bucket < this.#counts.length; bucket++) {
      seen += this.#counts[bucket]!;
      if (seen >= rank) return Math.min(_middleOf(bucket), this.#max);
    }
    return this.#max;
  }
}

function _bucketOf(us: number): number {
  const value = Math.min(Math.floor(us), 2 ** MAX_EXPONENT - 1);
  if (value < EXACT) return value;
  const exponent = 31 - Math.clz32(value); // 8..30
  const shift = exponent - 7;
  return EXACT + (exponent - 8) * SUB_BUCKETS + ((value >>> shift) - 128);
}

function _middleOf(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const exponent = 8 + Math.floor((bucket - EXACT) / SUB_BUCKETS);
  const shift = exponent - 7;
  const sub = 128 + (bucket - EXACT) % SUB_BUCKETS;
  return (sub << shift) + ((1 << shift) >>> 1);
}
