/**
 * Who holds which name, by look rather than by spelling, so that a name
 * that looks like a member's (Cyrillic `рое` for `poe`) is taken.
 *
 * @module
 */

import { lookalikeKeys } from "../protocol/name_rules.ts";

/**
 * Holders of names, each filed under every {@linkcode lookalikeKeys} key of
 * its name. A name is taken when one of its keys is filed under someone.
 *
 * @example A look-alike is taken, a different name is free
 * ```ts
 * import { assert, assertEquals, assertFalse } from "@std/assert";
 * import { NameIndex } from "./name_index.ts";
 *
 * const names = new NameIndex<string>();
 * names.claim("poe", "member 1");
 * assert(names.taken("\u0440\u043e\u0435", null)); // Cyrillic рое
 * assertFalse(names.taken("\u0440\u043e\u0435", "member 1")); // its own look
 * assertEquals(names.holder("POE"), "member 1");
 * assertFalse(names.taken("ana", null));
 * ```
 *
 * @typeParam T What holds a name (the hub's members).
 */
export class NameIndex<T> {
  #byKey = new Map<string, T>();

  /**
   * Tells whether a name looks like one someone else holds.
   *
   * @param name A name.
   * @param self A holder whose own name does not count, or `null`.
   * @returns `true` if one of the name's keys is held by another.
   */
  taken(name: string, self: T | null): boolean {
    return lookalikeKeys(name).some((key) => {
      const holder = this.#byKey.get(key);
      return holder !== undefined && holder !== self;
    });
  }

  /**
   * Who holds a name that looks like the one given.
   *
   * @param name A name, as someone typed it.
   * @returns The holder, or `undefined`.
   */
  holder(name: string): T | undefined {
    for (const key of lookalikeKeys(name)) {
      const holder = this.#byKey.get(key);
      if (holder !== undefined) return holder;
    }
    return undefined;
  }

  /**
   * Files a holder under a name; check {@linkcode NameIndex.taken} first.
   *
   * @param name The name.
   * @param holder Who holds it now.
   */
  claim(name: string, holder: T): void {
    for (const key of lookalikeKeys(name)) this.#byKey.set(key, holder);
  }

  /**
   * Frees a name a holder had.
   *
   * @param name The name it was filed under.
   * @param holder Its holder; keys filed under someone else stay.
   */
  release(name: string, holder: T): void {
    for (const key of lookalikeKeys(name)) {
      if (this.#byKey.get(key) === holder) this.#byKey.delete(key);
    }
  }
}
