/**
 * Waiting with a deadline: the bench never sleeps for synchronisation, it
 * polls for the condition it needs and gives up at a deadline.
 *
 * @module
 */

/**
 * Polls `check` every `intervalMs` until it holds or `timeoutMs` passes.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { waitUntil } from "./wait.ts";
 *
 * assertEquals(await waitUntil(() => true, 10), true);
 * assertEquals(await waitUntil(() => false, 10), false);
 * ```
 *
 * @param check The condition.
 * @param timeoutMs Deadline in milliseconds.
 * @param intervalMs Polling interval in milliseconds.
 * @returns `true` when it held, `false` at the deadline.
 */
export async function waitUntil(
  check: () => boolean,
  timeoutMs: number,
  intervalMs = 10,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= end) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return true;
}
