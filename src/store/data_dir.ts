/**
 * Where `chat serve` keeps its data: the platform's data folder by
 * default, created for its owner only, and checked to be writable before
 * anything is stored there.
 *
 * @module
 */

/** The operating systems {@linkcode defaultDataDir} knows. */
export type DataDirOs = typeof Deno.build.os;

/** Options of {@linkcode defaultDataDir}. */
export interface DefaultDataDirOptions {
  /**
   * The operating system.
   * @default {Deno.build.os}
   */
  os?: DataDirOs;
  /**
   * Reads an environment variable.
   * @default {Deno.env.get}
   */
  env?: (name: string) => string | undefined;
}

/**
 * The platform's data folder for chat: `$XDG_DATA_HOME/chat` or
 * `~/.local/share/chat` on Linux and other Unix systems,
 * `~/Library/Application Support/chat` on macOS, `%LOCALAPPDATA%\chat` on
 * Windows.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { defaultDataDir } from "./data_dir.ts";
 *
 * const env = (name: string) => ({ HOME: "/home/ana" })[name];
 * assertEquals(defaultDataDir({ os: "linux", env }), "/home/ana/.local/share/chat");
 * assertEquals(
 *   defaultDataDir({ os: "darwin", env }),
 *   "/home/ana/Library/Application Support/chat",
 * );
 * ```
 *
 * @param options The system and its environment.
 * @returns An absolute path.
 * @throws {Error} `Cannot find the data folder: <variable> is not set`
 * when the home folder (or `%LOCALAPPDATA%`) is unknown; pass `--data`.
 */
export function defaultDataDir(options: DefaultDataDirOptions = {}): string {
  const os = options.os ?? Deno.build.os;
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const need = (name: string): string => {
    const value = env(name);
    if (value === undefined || value === "") {
      throw new Error(`Cannot find the data folder: ${name} is not set`);
    }
    return value;
  };
  if (os === "windows") {
    return `${need("LOCALAPPDATA").replace(/[\\/]+$/, "")}\\chat`;
  }
  if (os === "darwin") {
    return `${_trimSlash(need("HOME"))}/Library/Application Support/chat`;
  }
  // The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
  const xdg = env("XDG_DATA_HOME");
  if (xdg !== undefined && xdg.startsWith("/")) {
    return `${_trimSlash(xdg)}/chat`;
  }
  return `${_trimSlash(need("HOME"))}/.local/share/chat`;
}

/**
 * Makes sure a data folder exists and can be written: creates it (and its
 * parents) readable and writable by its owner only (mode `0700`), then
 * writes and removes a small probe file (so a full disk is found too). A folder that exists is used as it is.
 *
 * @param dir The folder.
 * @throws {Error} `Cannot use the data folder <dir>: <why>` when it cannot
 * be created or written.
 */
export function prepareDataDir(dir: string): void {
  const fail = (error: unknown): never => {
    throw new Error(`Cannot use the data folder ${dir}: ${fileError(error)}`);
  };
  let info: Deno.FileInfo | null = null;
  try {
    info = Deno.statSync(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) fail(error);
  }
  if (info !== null && !info.isDirectory) {
    fail(new Deno.errors.AlreadyExists());
  }
  const probe = `${dir}/.chat-probe-${Deno.pid}`;
  try {
    if (info === null) {
      Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
      // mkdir's mode passes through the umask; say it once more.
      if (Deno.build.os !== "windows") Deno.chmodSync(dir, 0o700);
    }
    // A few bytes, not an empty file: an empty file fits on a full disk.
    Deno.writeTextFileSync(probe, "chat", { mode: 0o600 });
    Deno.removeSync(probe);
  } catch (error) {
    try {
      Deno.removeSync(probe);
    } catch {
      // Never made, or already gone.
    }
    fail(error);
  }
}

/**
 * A file system error as the end of a one-line message: `permission
 * denied`, `not a directory`, `no space left on device`.
 *
 * @param error What `Deno.*Sync` threw.
 * @returns Lower case, without the OS error number or the path.
 */
export function fileError(error: unknown): string {
  if (error instanceof Deno.errors.AlreadyExists) {
    return "it is a file, not a folder";
  }
  if (error instanceof Deno.errors.NotCapable) {
    return "chat was not given --allow-read and --allow-write for it";
  }
  const message = error instanceof Error ? error.message : String(error);
  const why = message.replace(/ \(os error \d+\)[\s\S]*$/, "");
  return why.charAt(0).toLowerCase() + why.slice(1);
}

function _trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}
