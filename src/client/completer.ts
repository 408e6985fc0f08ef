/**
 * Tab completion for the terminal client: every word a command is accepted
 * under after a leading `/`, member names after a command that takes one
 * (`/msg` and its aliases, from the command table) and for the word being
 * typed anywhere else; room names after a command that takes one (`/join`,
 * `/part`, `/switch`...: `completes: "rooms"` in the table) and for a word
 * that starts with `#` anywhere. Pure, in the shape `node:readline` expects.
 *
 * @module
 */

import { COMMAND_NAMES, findCommand } from "../protocol/commands.ts";
import { nameKey } from "../protocol/name_rules.ts";

/** Options of {@linkcode completeLine}. */
export interface CompleteOptions {
  /** Names of the members online. */
  names: readonly string[];
  /**
   * Room names: the rooms you are in, and others you heard of.
   *
   * @default {[]}
   */
  rooms?: readonly string[];
  /**
   * Your own name, never offered (you cannot message yourself).
   *
   * @default {""}
   */
  me?: string;
  /**
   * Command words without their `/`.
   *
   * @default {COMMAND_NAMES}
   */
  commands?: readonly string[];
}

/**
 * Completions for the text before the cursor, as `[candidates, word]`:
 * `word` is the end of the line being completed and each candidate a
 * replacement for it. A full match ends in a space, so typing goes on; a
 * name at the start of a line ends in `: `, to address its owner.
 * Matching ignores case and accents (`joao` completes to `João`).
 *
 * @example Complete a name after /msg
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { completeLine } from "./completer.ts";
 *
 * assertEquals(completeLine("/msg b", { names: ["ana", "bob"] }), [["bob "], "b"]);
 * assertEquals(completeLine("/rep", { names: [] }), [["/reply "], "/rep"]);
 * assertEquals(completeLine("/wh", { names: [] }), [["/whisper ", "/who "], "/wh"]);
 * assertEquals(completeLine("Joao", { names: ["João"] }), [["João: "], "Joao"]);
 * assertEquals(completeLine("/join #g", { names: [], rooms: ["#games"] }), [["#games "], "#g"]);
 * ```
 *
 * @param line The text before the cursor.
 * @param options Who is online and which commands exist.
 * @returns Candidates and the word they replace; no candidates when there
 * is nothing to complete.
 */
export function completeLine(
  line: string,
  options: CompleteOptions,
): [string[], string] {
  const commands = options.commands ?? COMMAND_NAMES;
  const command = /^\/(\S*)$/.exec(line);
  if (command) {
    const typed = command[1]!.toLowerCase();
    const found = commands
      .filter((name) => name.toLowerCase().startsWith(typed))
      .map((name) => `/${name} `);
    return [_unique(found), line];
  }
  const argument = /^\/(\S+)\s+(\S*)$/.exec(line);
  const completes = argument ? findCommand(argument[1]!)?.completes : undefined;
  if (completes === "names") {
    return [_names(argument![2]!, options, " "), argument![2]!];
  }
  if (completes === "rooms") {
    return [_rooms(argument![2]!, options), argument![2]!];
  }
  // Anywhere else, including the text of other commands (`/me waves at b`),
  // the word being typed may be a room (`#...`) or a name; the first word
  // of a message addresses someone.
  const word = /(\S*)$/.exec(line)![1]!;
  if (word === "") return [[], word];
  if (word.startsWith("#")) return [_rooms(word, options), word];
  return [_names(word, options, word === line ? ": " : " "), word];
}

function _names(
  prefix: string,
  options: CompleteOptions,
  suffix: string,
): string[] {
  const typed = _loose(prefix);
  const me = nameKey(options.me ?? "");
  const found = options.names
    .filter((name) => nameKey(name) !== me && _loose(name).startsWith(typed))
    .sort((a, b) => nameKey(a).localeCompare(nameKey(b)))
    .map((name) => name + suffix);
  return _unique(found);
}

// Rooms whose name starts with the word (its `#` may be left out).
function _rooms(prefix: string, options: CompleteOptions): string[] {
  const typed = _loose(prefix.startsWith("#") ? prefix : `#${prefix}`);
  const found = (options.rooms ?? [])
    .filter((room) => _loose(room).startsWith(typed))
    .sort((a, b) => nameKey(a).localeCompare(nameKey(b)))
    .map((room) => `${room} `);
  return _unique(found);
}

// The name key without accents: what a typist without them would type.
function _loose(name: string): string {
  return nameKey(name).normalize("NFD").replace(/\p{M}/gu, "");
}

function _unique(items: string[]): string[] {
  return [...new Set(items)];
}
