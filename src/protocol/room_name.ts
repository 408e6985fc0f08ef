/**
 * What a room name may be: `#` then 1–32 letters (any script, in one
 * script), digits, `_`, `-` and `.`, with the shape rules of user names
 * (at least one letter or digit, nothing invisible, no final `.`).
 * Rooms are unique by their look, as names are: `#Games`, `#GAMES` and
 * `#ɢames` (small capital) are one room (the hub files rooms under their
 * look-alike keys, as it does names).
 *
 * @module
 */

import { checkNameShape, type NameCheck, nameKey } from "./name_rules.ts";

/** Longest room name after its `#`, in code points after NFC normalisation. */
export const MAX_ROOM_NAME_LENGTH = 32;

/** Why a room name was refused: a shape code of {@linkcode checkNameShape}. */
export type RoomNameCheck = NameCheck;

/**
 * Checks a requested room name and returns its normalised form. Surrounding
 * white space is ignored; the result is NFC-normalised.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { checkRoomName } from "./room_name.ts";
 *
 * assertEquals(checkRoomName(" #Café "), { ok: true, name: "#Café" });
 * assertEquals(checkRoomName("#"), { ok: false, code: "empty", name: "#" });
 * assertEquals(checkRoomName("games").ok, false);
 * assertEquals(checkRoomName("#" + "a".repeat(33)).ok, false);
 * ```
 *
 * @param requested What the user asked for, `#` included.
 * @returns The normalised name, or why it is refused (`invalid_chars` when
 * the `#` is missing).
 */
export function checkRoomName(requested: string): RoomNameCheck {
  const name = requested.trim().normalize("NFC");
  if (!name.startsWith("#")) {
    const shown = checkNameShape(name, MAX_ROOM_NAME_LENGTH);
    return { ok: false, code: "invalid_chars", name: shown.name };
  }
  const body = checkNameShape(name.slice(1), MAX_ROOM_NAME_LENGTH);
  return { ...body, name: `#${body.name}` };
}

/**
 * The key a room's lines are kept under in the history store: its name
 * ignoring case ({@linkcode nameKey}), so `#Games` and `#games` share one
 * history.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { roomKey } from "./room_name.ts";
 *
 * assertEquals(roomKey("#Games"), "#games");
 * ```
 *
 * @param name A valid room name.
 * @returns The key.
 */
export function roomKey(name: string): string {
  return nameKey(name);
}
