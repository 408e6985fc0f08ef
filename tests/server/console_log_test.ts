// Checks src/server/console_log.ts: the time stamp, the line of each hub
// event, and the two ways to write: write() lets a failing sink throw into
// the caller, report() and reportError() lose the line instead.

import { assertEquals, assertMatch, assertThrows } from "@std/assert";
import {
  ConsoleLog,
  describeHubEvent,
  logStamp,
} from "../../src/server/console_log.ts";
import type { HubEvent } from "../../src/hub/hub.ts";

const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /;

function recording(): { log: ConsoleLog; lines: string[] } {
  const lines: string[] = [];
  return { log: new ConsoleLog((line) => lines.push(line)), lines };
}

function failing(): ConsoleLog {
  return new ConsoleLog(() => {
    throw new Error("sink broken");
  });
}

Deno.test("logStamp() writes the local date and time with two-digit fields", () => {
  assertEquals(logStamp(new Date(2026, 0, 2, 3, 4, 5)), "2026-01-02 03:04:05");
  assertEquals(
    logStamp(new Date(2026, 11, 31, 23, 59, 59)),
    "2026-12-31 23:59:59",
  );
});

Deno.test("describeHubEvent() names every kind of event as the console shows it", () => {
  const label = "127.0.0.1:50312";
  assertEquals(
    describeHubEvent({ kind: "join", name: "ana", label }),
    "join ana (127.0.0.1:50312)",
  );
  assertEquals(
    describeHubEvent({ kind: "leave", name: "ana", label, reason: "closed" }),
    "leave ana (127.0.0.1:50312): closed",
  );
  assertEquals(
    describeHubEvent({
      kind: "leave",
      name: "ana",
      label,
      reason: "quit",
      detail: "see you",
    }),
    'leave ana (127.0.0.1:50312): quit "see you"',
  );
  assertEquals(
    describeHubEvent({ kind: "rename", from: "ana", to: "Ana", label }),
    "rename ana -> Ana (127.0.0.1:50312)",
  );
  assertEquals(
    describeHubEvent({ kind: "flood", name: "ana", label }),
    "flood ana (127.0.0.1:50312): disconnecting",
  );
});

Deno.test("describeHubEvent() logs room events with their room, in the style of the join line, never a key", () => {
  const label = "127.0.0.1:50312";
  const room = "#games";
  const cases: ReadonlyArray<readonly [HubEvent, string]> = [
    [
      { kind: "room_join", room, name: "ana", label },
      `join ana #games (${label})`,
    ],
    [
      { kind: "room_part", room, name: "ana", label },
      `part ana #games (${label})`,
    ],
    [
      { kind: "room_part", room, name: "ana", label, reason: "lunch" },
      `part ana #games (${label}): "lunch"`,
    ],
    [
      { kind: "kick", room, name: "bob", by: "ana", label, reason: "spam" },
      `kick bob #games by ana (${label}): "spam"`,
    ],
    [
      { kind: "mode", room, by: "ana", label, change: "+b", target: "eve" },
      `ban eve #games by ana (${label})`,
    ],
    [
      { kind: "mode", room, by: "ana", label, change: "-b", target: "eve" },
      `unban eve #games by ana (${label})`,
    ],
    [
      { kind: "mode", room, by: "ana", label, change: "+o", target: "bob" },
      `op bob #games by ana (${label})`,
    ],
    [
      { kind: "mode", room, by: "ana", label, change: "-o", target: "bob" },
      `deop bob #games by ana (${label})`,
    ],
    [
      { kind: "mode", room, by: "ana", label, change: "+k" },
      `key #games set by ana (${label})`,
    ],
    [
      { kind: "mode", room, by: "ana", label, change: "-k" },
      `key #games removed by ana (${label})`,
    ],
    [
      { kind: "mode", room, by: "ana", label, change: "+t" },
      `topic-lock #games on by ana (${label})`,
    ],
    [
      { kind: "mode", room, by: "ana", label, change: "-t" },
      `topic-lock #games off by ana (${label})`,
    ],
    [
      { kind: "topic", room, by: "ana", label, text: "gg" },
      `topic #games by ana (${label}): "gg"`,
    ],
    [
      { kind: "topic", room, by: "ana", label, text: "" },
      `topic #games cleared by ana (${label})`,
    ],
    [
      { kind: "oper", name: "ana", label, granted: true },
      `oper ana (${label})`,
    ],
    [
      { kind: "oper", name: "ana", label, granted: false },
      `oper refused ana (${label})`,
    ],
  ];
  for (const [event, line] of cases) {
    assertEquals(describeHubEvent(event), line);
  }
});

Deno.test("ConsoleLog.write() stamps each line and hands it to the sink", () => {
  const { log, lines } = recording();
  log.write("connect 127.0.0.1:50312");
  log.hubEvent({ kind: "join", name: "ana", label: "127.0.0.1:50312" });
  assertEquals(lines.length, 2);
  assertMatch(lines[0]!, STAMP);
  assertEquals(lines[0]!.replace(STAMP, ""), "connect 127.0.0.1:50312");
  assertEquals(lines[1]!.replace(STAMP, ""), "join ana (127.0.0.1:50312)");
});

Deno.test("ConsoleLog.write() lets a failing sink throw into the caller", () => {
  assertThrows(() => failing().write("connect"), Error, "sink broken");
  assertThrows(
    () => failing().hubEvent({ kind: "join", name: "ana", label: "x" }),
    Error,
    "sink broken",
  );
});

Deno.test("ConsoleLog.report() and reportError() lose the line when the sink fails", () => {
  const log = failing();
  log.report("refuse web 127.0.0.1:50312");
  log.reportError(new Error("boom"), "127.0.0.1:50312");
  log.reportError("not an Error");
});

Deno.test("ConsoleLog.reportError() writes the stack, with the connection's label when there is one", () => {
  const { log, lines } = recording();
  const error = new Error("boom");
  log.reportError(error, "127.0.0.1:50312");
  log.reportError(error);
  log.reportError("a string");
  log.reportError(null);
  assertEquals(lines.map((line) => line.replace(STAMP, "")), [
    `error 127.0.0.1:50312: ${error.stack}`,
    `error: ${error.stack}`,
    "error: a string",
    "error: null",
  ]);
});
