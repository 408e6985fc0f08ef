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
}

/**
 * A `chat serve` that names no data folder keeps its history in memory
 * (`--memory`): no test touches the real data folder of the home folder,
 * and tests that run at once do not fight over its lock. A test that
 * wants the history on disk gives `--data <a temporary folder>`.
 *
 * @param args Arguments of `chat`.
 * @returns The same, with `--memory` after `serve` when it had neither
 * `--data` nor `--memory`.
 */
export function inMemory(args: readonly string[]): string[] {
  if (
    args[0] !== "serve" ||
    args.some((arg) => /^--(data|memory)(=|$)/.test(arg))
  ) {
    return [...args];
  }
  return ["serve", "--memory", ...args.slice(1)];
}

/**
 * The command line that runs `chat` with `args`.
 *
 * @param given Arguments of `chat`, such as `["serve", "--port", "0"]` (a
 * `serve` without `--data` gets `--memory`: see {@linkcode inMemory}).
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
  const args = inMemory(given);
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

// Never the real home: a `chat serve` keeps its data in memory unless its
// test gives `--data` (see inMemory()), and every `chat join` a test
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
