/**
 * The servers a user trusts, as ssh's `known_hosts`: one line per server,
 * `HOST:PORT SHA256:<fingerprint>`, in a file in the user's config folder
 * ({@linkcode configDir}, {@linkcode knownServersPath}), written atomically with owner-only
 * permissions. Lines starting with `#` are comments.
 *
 * @module
 */

import { configDir } from "./config_dir.ts";
import {
  formatFingerprint,
  parseFingerprint,
  sameFingerprint,
} from "../transport/fingerprint.ts";
import {
  fileErrorReason,
  writePrivateFile,
} from "../transport/private_file.ts";

/** The file's name in the config folder. */
export const KNOWN_SERVERS_FILE = "known_servers";

/** One trusted server. */
export interface KnownServer {
  /** `HOST:PORT` as the user joined it (`[::1]:50001` for IPv6). */
  address: string;
  /** SHA-256 of its certificate. */
  sha256: Uint8Array;
  /** The line it is on (1-based), for the message that says to remove it. */
  line: number;
}

/**
 * Where the known servers are kept unless `--known-servers` says: the
 * file {@linkcode KNOWN_SERVERS_FILE} in the config folder, beside the
 * personal key.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { knownServersPath } from "./known_servers.ts";
 *
 * assertEquals(
 *   knownServersPath("/home/ana/.config/chat"),
 *   "/home/ana/.config/chat/known_servers",
 * );
 * ```
 *
 * @param dir The config folder.
 * @returns The file (it may not exist yet).
 * @throws {Error} `Cannot find the config folder: HOME is not set` (or
 * `APPDATA`) when `dir` is not given and the folder is unknown.
 */
export function knownServersPath(dir: string = configDir()): string {
  return `${dir}/${KNOWN_SERVERS_FILE}`;
}

const HEADER =
  "# Servers chat join trusts: HOST:PORT SHA256:<fingerprint>. Remove a line to forget one.\n";

/** The known-servers file, as read. */
export class KnownServers {
  /** The file. */
  readonly path: string;
  #servers: KnownServer[];
  #text: string;

  private constructor(path: string, text: string, servers: KnownServer[]) {
    this.path = path;
    this.#text = text;
    this.#servers = servers;
  }

  /**
   * Reads the file; a file that does not exist yet holds no server.
   *
   * @param path The file.
   * @returns What it holds.
   * @throws {SyntaxError} `Cannot read the known servers file <path>: line
   * <n> is not "HOST:PORT SHA256:<fingerprint>"; correct or remove it`.
   * @throws {Error} `Cannot read the known servers file <path>: <why>`.
   */
  static read(path: string): KnownServers {
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return new KnownServers(path, "", []);
      }
      throw new Error(
        `Cannot read the known servers file ${path}: ${fileErrorReason(error)}`,
      );
    }
    return new KnownServers(path, text, _parse(path, text));
  }

  /**
   * The entry for `address`.
   *
   * @param address `HOST:PORT`.
   * @returns The entry, or `undefined` for a server never trusted.
   */
  find(address: string): KnownServer | undefined {
    return this.#servers.find((server) => server.address === address);
  }

  /**
   * Trusts a server from now on: adds its line (replacing none: a changed
   * identity is never overwritten here) and writes the file atomically,
   * owner-only, making its folder when needed.
   *
   * @param address `HOST:PORT`.
   * @param sha256 SHA-256 of its certificate.
   * @throws {Error} `Cannot keep the known servers file <path>: <why>`.
   */
  add(address: string, sha256: Uint8Array): void {
    if (this.find(address) !== undefined) return;
    const text =
      (this.#text === "" ? HEADER : this.#text.replace(/\n?$/, "\n")) +
      `${address} ${formatFingerprint(sha256)}\n`;
    const folder = this.path.replace(/[\\/][^\\/]*$/, "");
    try {
      if (folder !== this.path && folder !== "") {
        Deno.mkdirSync(folder, { recursive: true, mode: 0o700 });
      }
      writePrivateFile(this.path, text);
    } catch (error) {
      throw new Error(
        `Cannot keep the known servers file ${this.path}: ${
          fileErrorReason(error)
        }`,
      );
    }
    this.#text = text;
    this.#servers = _parse(this.path, text);
  }

  /**
   * Whether `sha256` is the fingerprint kept for `address`.
   *
   * @param address `HOST:PORT`.
   * @param sha256 The certificate's SHA-256.
   * @returns `true` when kept and equal, `false` when kept and different,
   * `undefined` when the server is not kept.
   */
  matches(address: string, sha256: Uint8Array): boolean | undefined {
    const known = this.find(address);
    return known === undefined
      ? undefined
      : sameFingerprint(known.sha256, sha256);
  }
}

function _parse(path: string, text: string): KnownServer[] {
  const servers: KnownServer[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const sha256 = fields.length === 2 ? parseFingerprint(fields[1]!) : null;
    if (
      sha256 === null ||
      !/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d+$/.test(fields[0]!)
    ) {
      throw new SyntaxError(
        `Cannot read the known servers file ${path}: line ${
          i + 1
        } is not "HOST:PORT SHA256:<fingerprint>"; correct or remove it`,
      );
    }
    servers.push({ address: fields[0]!, sha256, line: i + 1 });
  }
  return servers;
}
