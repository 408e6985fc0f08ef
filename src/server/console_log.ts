/**
 * The server's console: one time-stamped line per event (connects, joins,
 * leaves, refusals, errors), written to standard output one plain write at
 * a time.
 *
 * @module
 */

import type { HubEvent } from "../hub/hub.ts";

/**
 * Formats the current time for the console: `2026-11-21 12:04:05`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { logStamp } from "./console_log.ts";
 *
 * assertEquals(logStamp(new Date(2026, 10, 1, 9, 4, 5)), "2026-11-01 09:04:05");
 * ```
 *
 * @param date The time.
 * @returns Local date and time.
 */
export function logStamp(date: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${
    p(date.getDate())
  } ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

const _encoder = new TextEncoder();

/**
 * Writes one line to standard output with a plain write: `console.log`
 * would format and inspect its argument, which costs more than the rest of
 * a join. A closed or broken standard output loses the line and never
 * throws, so it cannot take the server down.
 *
 * @param line The line, without its line break.
 */
export function writeLine(line: string): void {
  const bytes = _encoder.encode(line + "\n");
  let offset = 0;
  try {
    while (offset < bytes.length) {
      offset += Deno.stdout.writeSync(bytes.subarray(offset));
    }
  } catch {
    // A closed or broken standard output must not take the server down.
  }
}

/**
 * The console line for a hub event.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { describeHubEvent } from "./console_log.ts";
 *
 * assertEquals(
 *   describeHubEvent({ kind: "join", name: "ana", label: "10.0.0.7:50312" }),
 *   "join ana (10.0.0.7:50312)",
 * );
 * ```
 *
 * @param event What happened in the hub.
 * @returns The line, without its time stamp: `join ana (label)` when
 * someone arrives, `join ana #games (label)` when a member joins a room,
 * and lines for parts, kicks, bans, operators, keys, topics and `/oper`
 * in the same style (never a key or a password).
 */
export function describeHubEvent(event: HubEvent): string {
  switch (event.kind) {
    case "join":
      return `join ${event.name} (${event.label})`;
    case "leave":
      return `leave ${event.name} (${event.label}): ${event.reason}${
        event.detail ? ` "${event.detail}"` : ""
      }`;
    case "rename":
      return `rename ${event.from} -> ${event.to} (${event.label})`;
    case "flood":
      return `flood ${event.name} (${event.label}): disconnecting`;
    case "room_join":
      return `join ${event.name} ${event.room} (${event.label})`;
    case "room_part":
      return `part ${event.name} ${event.room} (${event.label})${
        _quoted(event.reason)
      }`;
    case "kick":
      return `kick ${event.name} ${event.room} by ${event.by} (${event.label})${
        _quoted(event.reason)
      }`;
    case "mode":
      return `${_modeWords(event)} (${event.label})`;
    case "topic":
      return event.text === ""
        ? `topic ${event.room} cleared by ${event.by} (${event.label})`
        : `topic ${event.room} by ${event.by} (${event.label})${
          _quoted(event.text)
        }`;
    case "oper":
      return `oper ${
        event.granted ? "" : "refused "
      }${event.name} (${event.label})`;
  }
}

function _quoted(text: string | undefined): string {
  return text ? `: "${text}"` : "";
}

// The words of the mode changes that name a member.
const MEMBER_MODE_WORDS = {
  "+o": "op",
  "-o": "deop",
  "+v": "voice",
  "-v": "devoice",
  "+b": "ban",
  "-b": "unban",
} as const;

// A mode change in words (never the key itself, which the event lacks).
function _modeWords(event: Extract<HubEvent, { kind: "mode" }>): string {
  const { room, by } = event;
  const target = event.target ?? "";
  switch (event.change) {
    case "+o":
    case "-o":
    case "+v":
    case "-v":
    case "+b":
    case "-b":
      return `${MEMBER_MODE_WORDS[event.change]} ${target} ${room} by ${by}`;
    case "+k":
      return `key ${room} set by ${by}`;
    case "-k":
      return `key ${room} removed by ${by}`;
    case "+t":
      return `topic-lock ${room} on by ${by}`;
    case "-t":
      return `topic-lock ${room} off by ${by}`;
  }
}

/**
 * The server's log: stamps each line with the time and hands it to a sink
 * (standard output unless told otherwise).
 *
 * Two ways to write. {@linkcode ConsoleLog.write} lets a failing sink
 * throw, into whatever was being handled (the server closes that one
 * connection and goes on); {@linkcode ConsoleLog.report} is for reporting
 * failures and for places with nobody to catch, where a sink that fails
 * too must not make things worse: the line is lost.
 *
 * @example
 * ```ts
 * import { assertMatch } from "@std/assert";
 * import { ConsoleLog } from "./console_log.ts";
 *
 * const lines: string[] = [];
 * const log = new ConsoleLog((line) => lines.push(line));
 * log.write("connect 10.0.0.7:50312");
 * assertMatch(lines[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d connect 10\.0\.0\.7:50312$/);
 * ```
 */
export class ConsoleLog {
  #sink: (line: string) => void;

  /**
   * Makes a log that writes to `sink` (standard output by default).
   *
   * @param sink Receives each line, already stamped; may throw.
   */
  constructor(sink: (line: string) => void = writeLine) {
    this.#sink = sink;
  }

  /**
   * Writes a line with its time stamp.
   *
   * @param line The line.
   * @throws What the sink throws.
   */
  write(line: string): void {
    this.#sink(`${logStamp()} ${line}`);
  }

  /**
   * Writes a line with its time stamp; a failing sink loses it.
   *
   * @param line The line.
   */
  report(line: string): void {
    try {
      this.write(line);
    } catch {
      // nothing sensible left to report it to
    }
  }

  /**
   * Reports an error with its stack: `error LABEL: STACK`, or
   * `error: STACK` when it belongs to no one connection.
   *
   * @param error What was thrown.
   * @param label Where the connection is, when there is one.
   */
  reportError(error: unknown, label?: string): void {
    const stack = (error as Error | null | undefined)?.stack ?? error;
    this.report(`error${label === undefined ? "" : ` ${label}`}: ${stack}`);
  }

  /**
   * Writes the line for a hub event ({@linkcode describeHubEvent}).
   *
   * @param event What happened in the hub.
   * @throws What the sink throws.
   */
  hubEvent(event: HubEvent): void {
    this.write(describeHubEvent(event));
  }
}
