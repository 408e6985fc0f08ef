// Checks what src/server/system_tuning.ts tells `chat serve` to print about
// the limits it could not set up (Linux only: elsewhere it says nothing),
// and that it raises the open-file limit and tunes keepalive for real, in a
// process of its own with a low limit, or without `--allow-ffi`.

import { assert, assertEquals, assertMatch } from "@std/assert";
import {
  limitNotes,
  raiseFileLimit,
  tuneKeepalive,
} from "../../src/server/system_tuning.ts";

const linux = Deno.build.os === "linux";

Deno.test({
  name: "limitNotes() says nothing when the limits fit and keepalive is set",
  ignore: !linux,
  fn() {
    assertEquals(
      limitNotes({ soft: 65_536, hard: 65_536, raised: false }, true),
      [],
    );
  },
});

Deno.test({
  name:
    "limitNotes() warns when fewer connections fit than --max-users, and says how to raise it",
  ignore: !linux,
  fn() {
    const [note, ...rest] = limitNotes(
      { soft: 1024, hard: 4096, raised: false },
      true,
      { maxUsers: 2000 },
    );
    assertEquals(rest, []);
    assertEquals(
      note,
      'warning: the open-file limit is 1024, so about 960 connections fit, fewer than 2000; raise it with "ulimit -n 3000" (hard limit 4096) before starting',
    );
  },
});

Deno.test({
  name:
    "limitNotes() counts --max-users 0 as 10 000 and says when it raised the limit",
  ignore: !linux,
  fn() {
    assertMatch(
      limitNotes({ soft: 5000, hard: 5000, raised: false }, true, {
        maxUsers: 0,
      })[0]!,
      /fewer than 10000/,
    );
    assertEquals(
      limitNotes({ soft: 65_536, hard: 65_536, raised: true }, true),
      ["open-file limit raised to 65536"],
    );
  },
});

Deno.test({
  name:
    "limitNotes() says when the limits are unknown and keepalive was not set, with the dead-peer timeout",
  ignore: !linux,
  fn() {
    const notes = limitNotes(null, false, { deadPeerSeconds: 30 });
    assertEquals(notes.length, 2);
    assertMatch(notes[0]!, /^open-file limit unknown/);
    assertMatch(notes[1]!, /^TCP keepalive timing not set .* not 30 s$/);
  },
});

const TIMING = { idleSeconds: 30, intervalSeconds: 10, probes: 3 };
const PROBE = new URL("./_tuning_probe.ts", import.meta.url).href;

/** What `_tuning_probe.ts` printed, run with `permissions` and `args`. */
async function probeWith(
  permissions: string[],
  ...args: number[]
): Promise<{ files: unknown; keepalive: boolean }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, PROBE, ...args.map(String)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert(output.success, stderr);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

Deno.test({
  name:
    "tuneKeepalive() tunes this process's listener on the port, and finds none on a port nothing listens on",
  ignore: !linux,
  fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    try {
      assertEquals(tuneKeepalive(port, TIMING), true);
    } finally {
      listener.close();
    }
    assertEquals(tuneKeepalive(port, TIMING), false);
  },
});

Deno.test({
  name:
    "raiseFileLimit() raises a low soft limit towards what it wants, and leaves one that is high enough",
  ignore: !linux,
  async fn() {
    const hard = raiseFileLimit(0)!.hard;
    assert(hard >= 1024, `the hard limit ${hard} is too low for this test`);
    const ffi = ["--allow-ffi", "--allow-net"];
    assertEquals(await probeWith(ffi, 1024, 256), {
      files: { soft: 1024, hard, raised: true },
      keepalive: true,
    });
    const left = await probeWith(ffi, 100, 256);
    assertEquals(left.files, { soft: 256, hard, raised: false });
  },
});

Deno.test({
  name:
    "without --allow-ffi the open-file limit is unknown and keepalive is not tuned, and nothing throws",
  ignore: !linux,
  async fn() {
    assertEquals(await probeWith(["--allow-net"], 65_536), {
      files: null,
      keepalive: false,
    });
  },
});
