/**
 * The arguments both stores check the same way: counts, a search page,
 * retention limits. A value out of range is a `RangeError` naming the
 * action, the argument and the value.
 *
 * @module
 */

import {
  MAX_SEARCH_PAGE,
  type RetainOptions,
  type SearchOptions,
} from "./history_store.ts";

const _DAY_MS = 86_400_000;

/** Retention limits, checked, in the units the stores work in. */
export interface RetainLimits {
  /** Most lines one call removes. */
  maxRows: number;
  /** Lines kept per room; `Infinity` for no limit. */
  maxLinesPerRoom: number;
  /** Lines older than this time (ms since the epoch) are due; `-Infinity` for none. */
  cutoff: number;
}

/**
 * Checks a count: a whole number of zero or more.
 *
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkCount } from "./store_limits.ts";
 *
 * checkCount(3, "Cannot read history", "limit");
 * assertThrows(() => checkCount(-1, "Cannot read history", "limit"), RangeError);
 * ```
 *
 * @param value The count.
 * @param action What it is for: `Cannot read history`.
 * @param name The argument's name.
 * @throws {RangeError} `<action>: <name> must be a whole number of zero or
 * more, not <value>`.
 */
export function checkCount(value: number, action: string, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `${action}: ${name} must be a whole number of zero or more, not ${value}`,
    );
  }
}

/**
 * The page size of a search: the limit asked, at most
 * {@linkcode MAX_SEARCH_PAGE}.
 *
 * @param options What the caller asked.
 * @returns A whole number from 0 to {@linkcode MAX_SEARCH_PAGE}.
 * @throws {RangeError} If `limit` is not a whole number of zero or more.
 */
export function searchLimit(options: SearchOptions): number {
  const limit = Math.min(options.limit ?? MAX_SEARCH_PAGE, MAX_SEARCH_PAGE);
  checkCount(limit, "Cannot search history", "limit");
  return limit;
}

/**
 * Checks retention options and turns them into limits.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { retainLimits } from "./store_limits.ts";
 *
 * assertEquals(retainLimits({ maxAgeDays: 1, now: 86_400_000 }), {
 *   maxRows: 200,
 *   maxLinesPerRoom: Infinity,
 *   cutoff: 0,
 * });
 * ```
 *
 * @param options What the caller asked.
 * @returns The limits.
 * @throws {RangeError} If a limit is negative or not a number.
 */
export function retainLimits(options: RetainOptions): RetainLimits {
  const action = "Cannot remove old lines";
  const maxRows = options.maxRows ?? 200;
  checkCount(maxRows, action, "maxRows");
  const maxLinesPerRoom = options.maxLinesPerRoom ?? Infinity;
  if (options.maxLinesPerRoom !== undefined) {
    checkCount(maxLinesPerRoom, action, "maxLinesPerRoom");
  }
  const days = options.maxAgeDays;
  if (days !== undefined && !(days >= 0)) {
    throw new RangeError(
      `${action}: maxAgeDays must be zero or more, not ${days}`,
    );
  }
  const cutoff = days === undefined
    ? -Infinity
    : (options.now ?? Date.now()) - days * _DAY_MS;
  return { maxRows, maxLinesPerRoom, cutoff };
}
