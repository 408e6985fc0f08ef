/**
 * Room keys as the store keeps them: salted scrypt hashes, so a copy of the
 * data folder does not give away any room's secret.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

/** Options of {@linkcode hashRoomKey}. */
export interface HashRoomKeyOptions {
  /**
   * scrypt's cost (a power of two): about 6 ms per hash at the default.
   * @default {4096}
   */
  cost?: number;
}

const _PREFIX = "scrypt";
const _BLOCK = 8;
const _PARALLEL = 1;
const _SALT_BYTES = 16;
const _HASH_BYTES = 32;
// A stored hash asking for more is not one this program wrote.
const _MAX_COST = 1 << 20;

/**
 * Hashes a room's key with a new random salt.
 *
 * @example Check a key against its hash
 * ```ts
 * import { assert } from "@std/assert";
 * import { hashRoomKey, verifyRoomKey } from "./room_key.ts";
 *
 * const hash = hashRoomKey("open sesame");
 * assert(hash.startsWith("scrypt$"));
 * assert(verifyRoomKey("open sesame", hash));
 * assert(!verifyRoomKey("open says me", hash));
 * ```
 *
 * @param key The secret, as the operator typed it.
 * @param options The cost.
 * @returns `scrypt$<cost>$<salt>$<hash>`, salt and hash in base64.
 * @throws {RangeError} If `cost` is not a power of two above 1.
 */
export function hashRoomKey(
  key: string,
  options: HashRoomKeyOptions = {},
): string {
  const cost = options.cost ?? 4096;
  if (!_validCost(cost)) {
    throw new RangeError(
      `Cannot hash a room key: cost must be a power of two above 1, not ${cost}`,
    );
  }
  const salt = randomBytes(_SALT_BYTES);
  const hash = _scrypt(key, salt, cost);
  return [
    _PREFIX,
    cost,
    salt.toString("base64"),
    hash.toString("base64"),
  ].join("$");
}

/**
 * Tells whether a key is the one a hash was made from, in constant time.
 *
 * @param key The secret someone gave.
 * @param hash What {@linkcode hashRoomKey} returned.
 * @returns `true` when they match; `false` also for a hash this version
 * cannot read.
 */
export function verifyRoomKey(key: string, hash: string): boolean {
  const [prefix, costText, saltText, hashText, ...rest] = hash.split("$");
  const cost = Number(costText);
  if (
    prefix !== _PREFIX || rest.length > 0 || saltText === undefined ||
    hashText === undefined || !_validCost(cost) || cost > _MAX_COST
  ) {
    return false;
  }
  const expected = Buffer.from(hashText, "base64");
  if (expected.length !== _HASH_BYTES) return false;
  const actual = _scrypt(key, Buffer.from(saltText, "base64"), cost);
  return timingSafeEqual(actual, expected);
}

function _validCost(cost: number): boolean {
  return Number.isInteger(cost) && cost >= 2 && (cost & (cost - 1)) === 0;
}

function _scrypt(key: string, salt: Uint8Array, cost: number): Buffer {
  return scryptSync(key.normalize("NFC"), salt, _HASH_BYTES, {
    N: cost,
    r: _BLOCK,
    p: _PARALLEL,
    maxmem: 256 * cost * _BLOCK,
  });
}
