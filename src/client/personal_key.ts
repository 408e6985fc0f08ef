/**
 * Your personal key: an Ed25519 key pair that `chat join` makes on first
 * use and keeps in the config folder (`personal_key.json`, owner-only,
 * written atomically). Its public half goes in every `hello`; the private
 * half signs the server's challenge, so the names you use stay yours. The
 * private key never leaves the file and this module: it is not logged,
 * printed or put in an error.
 *
 * @module
 */

import {
  type PublicKeyInfo,
  toBase64Url,
  webCryptoParams,
} from "../protocol/key_proof.ts";

/** The key's file name in the config folder. */
export const PERSONAL_KEY_FILE = "personal_key.json";

/** A personal key, ready to sign. */
export interface PersonalKey {
  /** The file it was read from (or written to). */
  readonly path: string;
  /** Its public half, as a `hello` carries it. */
  readonly publicKey: PublicKeyInfo;
  /**
   * Signs bytes.
   *
   * @param data What to sign (a challenge's `proofText`).
   * @returns The signature, base64url.
   */
  sign(data: Uint8Array<ArrayBuffer>): Promise<string>;
}

/** Options of {@linkcode loadPersonalKey}. */
export interface LoadPersonalKeyOptions {
  /**
   * Whether to make a key when the file does not exist.
   * @default {true}
   */
  create?: boolean;
}

interface _KeyFile {
  version: 1;
  alg: "Ed25519";
  publicKey: string;
  privateKey: JsonWebKey;
}

/**
 * Reads the personal key from a config folder, making it first when there
 * is none: the folder is created owner-only (`0700`), the file is written
 * owner-only (`0600`) under a temporary name and linked into place, so a
 * reader never sees half a file and two first runs keep one key.
 *
 * @example
 * ```ts ignore
 * import { loadPersonalKey } from "./personal_key.ts";
 *
 * const key = await loadPersonalKey(Deno.makeTempDirSync());
 * console.log(key.publicKey.alg); // "Ed25519"
 * ```
 *
 * @param dir The config folder.
 * @param options Whether a missing key is made.
 * @returns The key.
 * @throws {Error} `Cannot read the personal key <path>: <why>` for a file
 * that is not a chat key (corrupt, edited, another program's), or `Cannot
 * write the personal key <path>: <why>`; never with the key's content.
 */
export async function loadPersonalKey(
  dir: string,
  options: LoadPersonalKeyOptions = {},
): Promise<PersonalKey> {
  const path = `${dir}/${PERSONAL_KEY_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound) || options.create === false) {
      throw new Error(
        `Cannot read the personal key ${path}: ${(error as Error).message}`,
      );
    }
    text = await _create(dir, path);
  }
  return await _parse(text, path);
}

async function _parse(text: string, path: string): Promise<PersonalKey> {
  const fail = (why: string): never => {
    throw new Error(
      `Cannot read the personal key ${path}: ${why}; move it away to make a new key (the names it holds are then lost)`,
    );
  };
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    fail("it is not JSON");
  }
  const record = file as Partial<_KeyFile> | null;
  if (
    typeof record !== "object" || record === null || record.version !== 1 ||
    record.alg !== "Ed25519" || typeof record.publicKey !== "string" ||
    typeof record.privateKey !== "object" || record.privateKey === null
  ) {
    return fail("it is not a chat personal key");
  }
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey(
      "jwk",
      record.privateKey,
      webCryptoParams("Ed25519").importParams,
      false,
      ["sign"],
    );
  } catch {
    return fail("its private key does not read as Ed25519");
  }
  if (record.privateKey.x !== record.publicKey) {
    return fail("its public and private halves do not match");
  }
  return {
    path,
    publicKey: { alg: "Ed25519", key: record.publicKey },
    sign: async (data) =>
      toBase64Url(
        new Uint8Array(
          await crypto.subtle.sign({ name: "Ed25519" }, privateKey, data),
        ),
      ),
  };
}

// Makes a key and writes it; when another process wrote one first, that
// one is kept and returned.
async function _create(dir: string, path: string): Promise<string> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const privateKey = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const file: _KeyFile = {
    version: 1,
    alg: "Ed25519",
    publicKey: privateKey.x!,
    privateKey,
  };
  const text = JSON.stringify(file, null, 2) + "\n";
  const temporary = `${path}.${
    toBase64Url(crypto.getRandomValues(new Uint8Array(6)))
  }.tmp`;
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(temporary, text, { mode: 0o600, createNew: true });
    try {
      // A link makes the file appear whole, and only if none is there.
      await Deno.link(temporary, path);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        return await Deno.readTextFile(path);
      }
      throw error;
    }
    return text;
  } catch (error) {
    throw new Error(
      `Cannot write the personal key ${path}: ${(error as Error).message}`,
    );
  } finally {
    await Deno.remove(temporary).catch(() => {});
  }
}
