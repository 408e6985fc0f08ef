/**
 * Where `chat join` keeps what it must remember about you: your personal
 * key (and, with TLS, the servers you trust), in the platform's config
 * folder.
 *
 * @module
 */

/** Options of {@linkcode configDir}. */
export interface ConfigDirOptions {
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
 * The platform's config folder for chat: `$XDG_CONFIG_HOME/chat` or
 * `~/.config/chat` on Linux and other Unix systems,
 * `~/Library/Application Support/chat` on macOS, `%APPDATA%\chat` on
 * Windows.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { configDir } from "./config_dir.ts";
 *
 * const env = (name: string) => ({ HOME: "/home/ana" })[name];
 * assertEquals(configDir({ os: "linux", env }), "/home/ana/.config/chat");
 * assertEquals(
 *   configDir({ os: "darwin", env }),
 *   "/home/ana/Library/Application Support/chat",
 * );
 * ```
 *
 * @param options The system and its environment.
 * @returns An absolute path.
 * @throws {Error} `Cannot find the config folder: <variable> is not set`
 * when the home folder (or `%APPDATA%`) is unknown.
 */
export function configDir(options: ConfigDirOptions = {}): string {
  const os = options.os ?? Deno.build.os;
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const need = (name: string): string => {
    const value = env(name);
    if (value === undefined || value === "") {
      throw new Error(`Cannot find the config folder: ${name} is not set`);
    }
    return value.replace(/[\\/]+$/, "");
  };
  if (os === "windows") return `${need("APPDATA")}\\chat`;
  if (os === "darwin") {
    return `${need("HOME")}/Library/Application Support/chat`;
  }
  // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
  const xdg = env("XDG_CONFIG_HOME");
  if (xdg !== undefined && xdg.startsWith("/")) {
    return `${xdg.replace(/\/+$/, "")}/chat`;
  }
  return `${need("HOME")}/.config/chat`;
}
