/**
 * Connections per IP address, counted so that one address cannot take
 * every slot of a listener.
 *
 * @module
 */

/**
 * Counts open connections by IP address and refuses one past the limit.
 *
 * @example Two connections from one address, then a third is refused
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { IpLimiter } from "./ip_limiter.ts";
 *
 * const limiter = new IpLimiter(2);
 * assertEquals(limiter.acquire("10.0.0.7"), true);
 * assertEquals(limiter.acquire("10.0.0.7"), true);
 * assertEquals(limiter.acquire("10.0.0.7"), false);
 * limiter.release("10.0.0.7");
 * assertEquals(limiter.acquire("10.0.0.7"), true);
 * ```
 */
export class IpLimiter {
  /** Most connections from one address; 0 = no limit. */
  readonly max: number;
  #open = new Map<string, number>();

  /**
   * Makes a limiter with no connection counted yet.
   *
   * @param max Most connections from one address; 0 = no limit.
   * @throws {RangeError} When `max` is not a whole number of at least 0.
   */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 0) {
      throw new RangeError(
        `Cannot limit connections per address to ${max}: expected a whole number of at least 0`,
      );
    }
    this.max = max;
  }

  /**
   * Counts a new connection from `ip`, unless that would pass the limit.
   *
   * @param ip The connection's address.
   * @returns `true` when it was counted (release it when it closes),
   * `false` when it is refused (and not counted).
   */
  acquire(ip: string): boolean {
    const count = (this.#open.get(ip) ?? 0) + 1;
    if (this.max > 0 && count > this.max) return false;
    this.#open.set(ip, count);
    return true;
  }

  /**
   * Uncounts a connection from `ip` that {@linkcode IpLimiter.acquire}
   * counted, once it has closed.
   *
   * @param ip The connection's address.
   */
  release(ip: string): void {
    const left = (this.#open.get(ip) ?? 1) - 1;
    if (left <= 0) this.#open.delete(ip);
    else this.#open.set(ip, left);
  }

  /**
   * The open connections from `ip`.
   *
   * @param ip An address.
   * @returns How many are counted.
   */
  count(ip: string): number {
    return this.#open.get(ip) ?? 0;
  }

  /** Addresses with at least one open connection. */
  get addresses(): number {
    return this.#open.size;
  }
}
