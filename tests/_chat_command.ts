/**
 * The one switch for the program under test. Every test that starts `chat`
 * as a subprocess asks {@linkcode chatCommand} for the command line: the
 * compiled program that the environment variable `CHAT_BIN` names, or
 * `deno run -A main.ts` when it is unset. The end-to-end suites run
 * unchanged either way, so CI can run them against the very binary a
 * release publishes.
 *
 * @module
 */

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
 * The command line that runs `chat` with `args`.
 *
 * @param args Arguments of `chat`, such as `["serve", "--port", "0"]`.
 * @param options Which program; by default the one `CHAT_BIN` names.
 * @returns `CHAT_BIN` (as an absolute path) with `args`, or `deno run -A
 * main.ts` with `args`.
 * @throws {Deno.errors.NotFound} `Cannot run the chat that CHAT_BIN names:
 * <path> does not exist` when the path names nothing.
 */
export function chatCommand(
  args: readonly string[],
  options: ChatCommandOptions = {},
): ChatCommand {
  args = _isolated(args);
  const bin = "bin" in options ? options.bin : Deno.env.get("CHAT_BIN");
  if (bin === undefined || bin === "") {
    return { cmd: Deno.execPath(), args: ["run", "-A", MAIN, ...args] };
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

// Never the real home: every `chat serve` a test starts without `--data`
// keeps its data (claims, history) in a fresh folder of its own (two
// servers in one test would otherwise fight over one folder's lock), and
// every `chat join` it starts inherits a config folder (the personal key)
// made for this test process. A test that sets XDG_CONFIG_HOME in a
// child's environment gets that one instead.
const _made: string[] = [];

function _isolated(args: readonly string[]): readonly string[] {
  const given = args.some((arg) =>
    arg === "--data" || arg.startsWith("--data=") || arg === "--help" ||
    arg === "-h"
  );
  if (args[0] !== "serve" || given) return args;
  const dir = Deno.makeTempDirSync({ prefix: "chat_test_data_" });
  _made.push(dir);
  return ["serve", "--data", dir, ...args.slice(1)];
}

{
  const config = Deno.makeTempDirSync({ prefix: "chat_test_config_" });
  _made.push(config);
  Deno.env.set("XDG_CONFIG_HOME", config);
  globalThis.addEventListener("unload", () => {
    for (const dir of _made) {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch {
        // A server still closing, or removed by its test: nothing to keep.
      }
    }
  });
}
