// Checks what src/server/system_tuning.ts tells `chat serve` to print about
// the limits it could not set up (Linux only: elsewhere it says nothing).

import { assertEquals, assertMatch } from "@std/assert";
import { limitNotes } from "../../src/server/system_tuning.ts";

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
