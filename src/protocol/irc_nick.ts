/**
 * Nicknames of IRC users: what our name rules allow, minus `.` (an IRC
 * source with a dot and no `!` reads as a server's name). Our names never
 * hold the characters IRC gives a meaning to (space, `,`, `*`, `?`, `!`,
 * `@`, `:`, `#`, `&`, `$`, `+`), so a native name with a dot is shown to IRC
 * users as it is: every member source is written `nick!user@host`, which
 * no client reads as a server.
 *
 * @module
 */

import { checkName, type NameCheck } from "./name_rules.ts";

/**
 * Checks a nickname an IRC user asks for.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { checkIrcNick } from "./irc_nick.ts";
 *
 * assertEquals(checkIrcNick("ana"), { ok: true, name: "ana" });
 * assertEquals(checkIrcNick("ana.b").ok, false);
 * assertEquals(checkIrcNick("[ana]").ok, false);
 * ```
 *
 * @param requested The nickname.
 * @returns The name, or why it is refused.
 */
export function checkIrcNick(requested: string): NameCheck {
  const check = checkName(requested);
  if (check.ok && check.name.includes(".")) {
    return { ok: false, code: "invalid_chars", name: check.name };
  }
  return check;
}
