/**
 * The one switch for the program under test. Every test that starts `chat`
 * as a subprocess asks {@linkcode chatCommand} for the command line: the
 * compiled program that the environment variable `CHAT_BIN` names, or
 * `deno run -A` with the V8 flags of the compiled program
 * (`V8_FLAGS`) and `main.ts` when it is unset. The end-to-end suites run
 * unchanged either way, so CI can run them against the very binary a
 * release publishes.
 *
 * @module
 */

import { V8_FLAGS } from "../src/tools/compile.ts";

/** `main.ts`, as a `file:` URL that `deno run` takes on every system. */
export const MAIN: string = new URL("../main.ts", import.meta.url).href;

/** A program and its arguments, as `Deno.Command` takes them. */
export interface ChatCommand {
  /** The program to start. */
  cmd: string;
  /** Its arguments. */
  args: string[];
}

/** Options of {@linkcode chatCommand}. */
export interface ChatCommandOptions {
  /**
   * Path of a compiled `chat` to run instead of `main.ts`; `""` means none.
   * @default {the environment variable `CHAT_BIN`}
   */
  bin?: string | undefined;
  /**
   * Whether the program is kept away from the user's real folders: `chat
   * serve` gets a new temporary `--data` folder (its TLS identity) and,
   * unless it named a data folder itself, `--memory` too (the history and
   * claimed names in memory, so tests that run at once never share a
   * store); `chat join` gets a new temporary `--known-servers` file and
   * `--trust-new` (every test server is new to it), unless `args` give
   * their own. The folders are removed when the test process ends. The
   * config folder (the personal key) is the test process's either way:
   * see the end of this module.
   * @default {true}
   */
  isolate?: boolean;
}

let _root: string | undefined;
let _made = 0;

/**
 * A new empty folder for one run of `chat`, under one temporary folder
 * per test process that is removed when the process ends.
 *
 * @returns The folder's path.
 */
export function testFolder(): string {
  if (_root === undefined) {
    const root = Deno.makeTempDirSync({ prefix: "chat-test-" });
    _root = root;
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(root, { recursive: true });
      } catch {
        // already gone
      }
    });
  }
  const dir = `${_root}/${++_made}`;
  Deno.mkdirSync(dir);
  return dir;
}

/**
 * The arguments of `chat` kept away from the user's real folders: a
 * `chat serve` without `--data` gets a temporary one and, when it named
 * neither, `--memory` as well (a test that wants the history on disk gives
 * `--data <a temporary folder>`, see {@linkcode testFolder}); a `chat
 * join` gets a temporary `--known-servers` file and `--trust-new` unless it
 * names its own, or `--fingerprint`.
 *
 * @param args Arguments of `chat`.
 * @returns The same, with what was missing added.
 */
export function isolated(args: readonly string[]): string[] {
  const has = (flag: string) =>
    args.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
  if (args.includes("--help")) return [...args];
  if (args[0] === "serve") {
    if (has("--data")) return [...args];
    return [
      "serve",
      ...(has("--memory") ? [] : ["--memory"]),
      ...args.slice(1),
      "--data",
      `${testFolder()}/data`,
    ];
  }
  if (args[0] === "join") {
    return [
      ...args,
      ...(has("--known-servers")
        ? []
        : ["--known-servers", `${testFolder()}/known_servers`]),
      ...(has("--fingerprint") || has("--trust-new") ? [] : ["--trust-new"]),
    ];
  }
  return [...args];
}

/**
 * The command line that runs `chat` with `args`.
 *
 * @param given Arguments of `chat`, such as `["serve", "--port", "0"]`
 * (kept away from the user's folders unless `options.isolate` is `false`:
 * see {@linkcode isolated}).
 * @param options Which program; by default the one `CHAT_BIN` names.
 * @returns `CHAT_BIN` (as an absolute path) with `args`, or `deno run -A
 * main.ts` with `args`.
 * @throws {Deno.errors.NotFound} `Cannot run the chat that CHAT_BIN names:
 * <path> does not exist` when the path names nothing.
 */
export function chatCommand(
  given: readonly string[],
  options: ChatCommandOptions = {},
): ChatCommand {
  const args = options.isolate ?? true ? isolated(given) : [...given];
  const bin = "bin" in options ? options.bin : Deno.env.get("CHAT_BIN");
  if (bin === undefined || bin === "") {
    return {
      cmd: Deno.execPath(),
      args: ["run", "-A", ...V8_FLAGS, MAIN, ...args],
    };
  }
  let path;
  try {
    // Absolute, so that a relative CHAT_BIN (`dist/chat`) means the same
    // from a test's own working folder or from a shell that tmux starts.
    path = Deno.realPathSync(bin);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Deno.errors.NotFound(
      `Cannot run the chat that CHAT_BIN names: ${bin} does not exist`,
    );
  }
  return { cmd: path, args: [...args] };
}

// Never the real home: a `chat serve` keeps its data in a temporary folder
// (see isolated()), and every `chat join` a test
// starts inherits a config folder (the personal key) made for this test
// process. A test that sets XDG_CONFIG_HOME in a child's environment gets
// that one instead.
{
  const config = Deno.makeTempDirSync({ prefix: "chat_test_config_" });
  Deno.env.set("XDG_CONFIG_HOME", config);
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(config, { recursive: true });
    } catch {
      // A client still closing, or removed by a test: nothing to keep.
    }
  });
}
