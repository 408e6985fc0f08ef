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
  /**
   * Whether the program is kept away from the user's real folders: `chat
   * serve` gets a new temporary `--data` folder and `chat join` a new
   * temporary `--known-servers` file and `--trust-new` (every test server
   * is new to it), unless `args` give their own. The folders are removed
   * when the test process ends.
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

// `--data` for serve; `--known-servers` and `--trust-new` for join.
function _isolated(args: readonly string[]): string[] {
  const has = (flag: string) =>
    args.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
  if (args[0] === "serve" && !has("--data") && !args.includes("--help")) {
    return [...args, "--data", `${testFolder()}/data`];
  }
  if (args[0] === "join" && !args.includes("--help")) {
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
  const bin = "bin" in options ? options.bin : Deno.env.get("CHAT_BIN");
  if (options.isolate ?? true) args = _isolated(args);
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
