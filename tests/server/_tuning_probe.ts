/**
 * Runs src/server/system_tuning.ts in a process of its own, with the
 * permissions the test starts it with: first lowers its soft open-file
 * limit to the second argument when there is one (Deno raises it to the
 * hard limit at start, so there would be nothing to raise), then raises it
 * towards the first argument, tunes keepalive on a listener of its own, and
 * prints both as one JSON line.
 *
 * `deno run [--allow-ffi] --allow-net _tuning_probe.ts <want> [<soft>]`
 *
 * @module
 */

import {
  raiseFileLimit,
  tuneKeepalive,
} from "../../src/server/system_tuning.ts";

const [want, soft] = Deno.args;
if (soft !== undefined) {
  const libc = Deno.dlopen(
    "libc.so.6",
    {
      getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
      setrlimit: { parameters: ["i32", "buffer"], result: "i32" },
    } as const,
  );
  const RLIMIT_NOFILE = 7;
  const limits = new BigUint64Array(2);
  const bytes = new Uint8Array(limits.buffer);
  if (libc.symbols.getrlimit(RLIMIT_NOFILE, bytes) !== 0) {
    throw new Error("getrlimit");
  }
  limits[0] = BigInt(soft);
  if (libc.symbols.setrlimit(RLIMIT_NOFILE, bytes) !== 0) {
    throw new Error("setrlimit");
  }
  libc.close();
}
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const timing = { idleSeconds: 30, intervalSeconds: 10, probes: 3 };
console.log(JSON.stringify({
  files: raiseFileLimit(Number(want)),
  keepalive: tuneKeepalive(listener.addr.port, timing),
}));
listener.close();
