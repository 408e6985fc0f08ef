/**
 * Passwords of claimed names as the store keeps them: salted scrypt hashes
 * (memory-hard: 32 MiB and about 100 ms per hash at the default cost), made
 * and checked off the main thread, compared in constant time. A copy of the
 * data folder gives away no password, only hashes that are slow to guess.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** Options of {@linkcode hashPassword}. */
export interface HashPasswordOptions {
  /**
   * scrypt's cost N (a power of two); memory is 1 KiB × N.
   * @default {32768}
   */
  cost?: number;
}

/** Longest password hashed, in characters: longer ones are refused unread. */
export const MAX_PASSWORD_LENGTH = 256;

const _TAG = "scrypt";
const _ROUNDS = 8;
const _SALT = 16;
const _LENGTH = 32;
// The highest cost a stored hash may ask for: a file edited to ask for
// more would make every check eat memory.
const _HIGHEST_COST = 1 << 17;

/**
 * Hashes a password with a new random salt.
 *
 * @example Check a password against its hash
 * ```ts
 * import { assert, assertFalse } from "@std/assert";
 * import { hashPassword, verifyPassword } from "./password_hash.ts";
 *
 * const hash = await hashPassword("correct horse", { cost: 1024 });
 * assert(hash.startsWith("scrypt$1024$8$1$"));
 * assert(await verifyPassword("correct horse", hash));
 * assertFalse(await verifyPassword("battery staple", hash));
 * ```
 *
 * @param password The password, as typed.
 * @param options The cost.
 * @returns `scrypt$<N>$<r>$<p>$<salt>$<hash>`, salt and hash in base64.
 * @throws {RangeError} If `cost` is not a power of two between 2 and
 * 131072, or the password is empty or longer than
 * {@linkcode MAX_PASSWORD_LENGTH}.
 */
export async function hashPassword(
  password: string,
  options: HashPasswordOptions = {},
): Promise<string> {
  const cost = options.cost ?? 32_768;
  if (!_powerOfTwo(cost)) {
    throw new RangeError(
      `Cannot hash a password: the cost must be a power of two from 2 to ${_HIGHEST_COST}`,
    );
  }
  if (password === "" || password.length > MAX_PASSWORD_LENGTH) {
    throw new RangeError(
      `Cannot hash a password: it must have 1 to ${MAX_PASSWORD_LENGTH} characters`,
    );
  }
  const salt = randomBytes(_SALT);
  const derived = await _derive(password, salt, cost);
  return `${_TAG}$${cost}$${_ROUNDS}$1$${salt.toString("base64")}$${
    derived.toString("base64")
  }`;
}

/**
 * Tells whether a password is the one a hash was made from, comparing in
 * constant time.
 *
 * @param password The password someone gave.
 * @param hash What {@linkcode hashPassword} returned.
 * @returns `true` when they match; `false` for anything else, a hash this
 * version cannot read or an overlong password included (never throws).
 */
export async function verifyPassword(
  password: string,
  hash: string,
): Promise<boolean> {
  const parts = hash.split("$");
  if (parts.length !== 6 || parts[0] !== _TAG) return false;
  const cost = Number(parts[1]);
  if (!_powerOfTwo(cost) || parts[2] !== `${_ROUNDS}` || parts[3] !== "1") {
    return false;
  }
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const expected = Buffer.from(parts[5]!, "base64");
  if (expected.length !== _LENGTH) return false;
  const derived = await _derive(
    password,
    Buffer.from(parts[4]!, "base64"),
    cost,
  );
  return timingSafeEqual(derived, expected);
}

function _powerOfTwo(cost: number): boolean {
  return Number.isInteger(cost) && cost >= 2 && cost <= _HIGHEST_COST &&
    (cost & (cost - 1)) === 0;
}

function _derive(
  password: string,
  salt: Uint8Array,
  cost: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFC"),
      salt,
      _LENGTH,
      { N: cost, r: _ROUNDS, p: 1, maxmem: 256 * cost * _ROUNDS },
      (error, key) => error ? reject(error) : resolve(key),
    );
  });
}
