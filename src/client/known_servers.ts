/**
 * The servers a user trusts, as ssh's `known_hosts`: one line per server,
 * `HOST:PORT SHA256:<fingerprint>`, in a file in the user's config folder
 * ({@linkcode defaultConfigDir}), written atomically with owner-only
 * permissions. Lines starting with `#` are comments.
 *
 * @module
 */

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

/** Options of {@linkcode defaultConfigDir}. */
export interface DefaultConfigDirOptions {
  /**
   * The operating system.
   * @default {Deno.build.os}
   */
  os?: typeof Deno.build.os;
  /**
   * Reads an environment variable.
   * @default {Deno.env.get}
   */
  env?: (name: string) => string | undefined;
}

/**
 * The user's config folder for chat: `%APPDATA%\chat` on Windows,
 * `~/Library/Application Support/chat` on macOS, else
 * `$XDG_CONFIG_HOME/chat` (an absolute one) or `~/.config/chat`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { defaultConfigDir } from "./known_servers.ts";
 *
 * const env = (name: string) => ({ HOME: "/home/ana" } as Record<string, string>)[name];
 * assertEquals(defaultConfigDir({ os: "linux", env }), "/home/ana/.config/chat");
 * ```
 *
 * @param options The system and its environment.
 * @returns The folder (it may not exist yet).
 * @throws {Error} `Cannot find the config folder: HOME is not set` (or
 * `APPDATA`).
 */
export function defaultConfigDir(
  options: DefaultConfigDirOptions = {},
): string {
  const os = options.os ?? Deno.build.os;
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const base = (name: string): string => {
    const value = env(name);
    if (value === undefined || value === "") {
      throw new Error(`Cannot find the config folder: ${name} is not set`);
    }
    return value.replace(/[\\/]+$/, "");
  };
  if (os === "windows") return `${base("APPDATA")}\\chat`;
  if (os === "darwin") {
    return `${base("HOME")}/Library/Application Support/chat`;
  }
  const xdg = env("XDG_CONFIG_HOME");
  if (xdg?.startsWith("/")) return `${xdg.replace(/\/+$/, "")}/chat`;
  return `${base("HOME")}/.config/chat`;
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
