/**
 * Holds a data folder's lock for the lock test: takes it, prints `locked`,
 * and waits to be killed.
 *
 * `deno run -A _lock_holder.ts <dir>`
 *
 * @module
 */

import { StoreLock } from "../../src/store/store_lock.ts";

const lock = StoreLock.acquire(Deno.args[0]!);
console.log("locked");
// Held until the test kills this process; the interval keeps it alive.
setInterval(() => lock.held, 60_000);
