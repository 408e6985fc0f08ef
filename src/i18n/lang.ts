/**
 * Which language to speak, from a locale.
 *
 * @module
 */

import type { Lang } from "../protocol/messages.ts";

/**
 * Picks the language from a locale such as the `LANG` environment variable
 * or a browser's `navigator.language`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { langFromLocale } from "./lang.ts";
 *
 * assertEquals(langFromLocale("pt_BR.UTF-8"), "pt");
 * assertEquals(langFromLocale("en_US.UTF-8"), "en");
 * assertEquals(langFromLocale(undefined), "en");
 * ```
 *
 * @param locale A locale string, or `undefined`.
 * @returns `"pt"` for any Portuguese locale, `"en"` otherwise.
 */
export function langFromLocale(locale: string | undefined): Lang {
  return locale && /^pt([_-]|$|\.)/i.test(locale) ? "pt" : "en";
}
