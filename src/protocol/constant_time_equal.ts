/**
 * Comparing a secret (the server's password, the operators' password, a
 * room's key) with what someone typed, in time that does not depend on
 * where they differ.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Tells whether a guess equals a secret, looking at every byte of the
 * secret whatever the guess: the time taken depends on the secret's length
 * only, never on how much of it the guess gets right.
 *
 * @example
 * ```ts
 * import { assert, assertFalse } from "@std/assert";
 * import { constantTimeEqual } from "./constant_time_equal.ts";
 *
 * assert(constantTimeEqual("s3cret", "s3cret"));
 * assertFalse(constantTimeEqual("s3cre", "s3cret"));
 * assertFalse(constantTimeEqual("s3cret!", "s3cret"));
 * assertFalse(constantTimeEqual("", "s3cret"));
 * ```
 *
 * @param guess What was typed.
 * @param secret The secret.
 * @returns `true` when they are the same text (UTF-8 bytes).
 */
export function constantTimeEqual(guess: string, secret: string): boolean {
  const given = encoder.encode(guess);
  const wanted = encoder.encode(secret);
  let difference = given.length ^ wanted.length;
  for (let i = 0; i < wanted.length; i++) {
    // A guess shorter than the secret is compared with itself, so every
    // step costs the same; the lengths already differ.
    difference |= given[i % Math.max(1, given.length)]! ^ wanted[i]!;
  }
  return difference === 0 && given.length === wanted.length;
}
