/**
 * `deno task compile [--target TARGET] [--output PATH]`: builds the single
 * `chat` program with `deno compile`, with the permissions its features use
 * baked in ({@linkcode PERMISSIONS}) and the commit it is built from written
 * into `src/build_info.ts` for the length of the build (the file is put back
 * afterwards), so that `chat --version` says `chat 0.1.0 (abc1234)`.
 *
 * `deno compile` downloads Deno's runtime for the target (`denort`) from
 * dl.deno.land the first time. Where that cannot be reached, this prints one
 * line that says so and what to do instead, and exits 1; any other failure
 * is `deno compile`'s own output and exit code. A usage mistake exits 2.
 *
 * A build tool, not part of the program: `main.ts` never imports it. It
 * lives here, not under `.github/`, because people run it too.
 *
 * @module
 */

import { parseArgs } from "@std/cli/parse-args";
import { VERSION } from "../cli.ts";

/**
 * The permissions baked into the compiled program: exactly what `chat`'s
 * features use. `--allow-net` for its sockets (LAN discovery's UDP ones
 * too: `node:dgram` needs no `--unstable-net`),
 * `--allow-sys=networkInterfaces,hostname` for the join hints `chat serve`
 * prints and the interfaces discovery announces on and asks on, and for the
 * default announced name (`chat on <hostname>`), `--allow-env` for `LANG` and
 * `NO_COLOR`, `--allow-ffi` for the open-file limit and TCP keepalive timing
 * on Linux (`src/system_tuning.ts`), `--allow-read` and `--allow-write` for
 * the data folder (the server's identity, claimed names, the history in
 * SQLite, its lock; `chat export` reads it) and the config folder (the
 * servers `chat join` trusts and its personal key). The page is inside the
 * program (`src/web_assets.ts`).
 */
export const PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-sys=networkInterfaces,hostname",
  "--allow-env",
  "--allow-ffi",
  "--allow-read",
  "--allow-write",
];

/**
 * The V8 flags baked into the compiled program, and given to `deno run` by
 * the tasks and the tests: `--optimize-for-size` keeps V8's heap close to
 * what is alive. When a crowd arrives (every join told to everyone), the
 * default heap grows to several times the live objects and never gives the
 * pages back once the server is idle again: 47 KB of resident memory per
 * idle netcat connection at 2000 connections, 22 KB with the flag, at no
 * measurable cost in server CPU per delivery (docs/performance.md).
 */
export const V8_FLAGS: readonly string[] = ["--v8-flags=--optimize-for-size"];

/** Where `deno task compile` writes the program unless `--output` says. */
export const DEFAULT_OUTPUT = "dist/chat";

/** What to build. */
export interface CompileRequest {
  /** A `deno compile --target`, such as `x86_64-unknown-linux-gnu`. */
  target: string;
  /** Path of the program to write (`.exe` is added for Windows). */
  output: string;
}

/** A usage mistake; the tool prints it and exits 2. */
export class CompileUsageError extends Error {
  /** @param message What is wrong, as `Cannot compile chat: ...`. */
  constructor(message: string) {
    super(message);
    this.name = "CompileUsageError";
  }
}

const USAGE = "use: deno task compile [--target TARGET] [--output PATH]";

/**
 * Reads the tool's arguments.
 *
 * @param args `--target TARGET` and `--output PATH`, both optional.
 * @param hostTarget The target when `--target` is not given.
 * @returns The target and the output path.
 * @throws {CompileUsageError} `Cannot compile chat: unknown option --x; use:
 * ...` for anything else.
 */
export function parseCompileArgs(
  args: readonly string[],
  hostTarget: string = Deno.build.target,
): CompileRequest {
  const flags = parseArgs([...args], {
    string: ["target", "output"],
    unknown: (arg) => {
      throw new CompileUsageError(
        `Cannot compile chat: ${
          arg.startsWith("-") ? "unknown option" : "unexpected argument"
        } ${arg}; ${USAGE}`,
      );
    },
  });
  const value = (name: "target" | "output", fallback: string): string => {
    const given = flags[name];
    if (given === undefined) return fallback;
    if (typeof given !== "string" || given === "") {
      throw new CompileUsageError(
        `Cannot compile chat: --${name} needs a value; ${USAGE}`,
      );
    }
    return given;
  };
  return {
    target: value("target", hostTarget),
    output: value("output", DEFAULT_OUTPUT),
  };
}

/**
 * The `deno compile` arguments for a request.
 *
 * @param request Target and output path.
 * @param entry The program's entry point.
 * @returns Arguments for `deno`, starting with `compile`.
 */
export function compileArgs(
  request: CompileRequest,
  entry: string = new URL("../../main.ts", import.meta.url).href,
): string[] {
  return [
    "compile",
    "--target",
    request.target,
    ...PERMISSIONS,
    ...V8_FLAGS,
    "--output",
    request.output,
    entry,
  ];
}

/**
 * `src/build_info.ts` with its `COMMIT` replaced.
 *
 * @param source The file as committed.
 * @param commit Such as `abc1234` or `abc1234-dirty`.
 * @returns The file's new text.
 * @throws {SyntaxError} `Cannot stamp src/build_info.ts: no COMMIT constant`
 * when the file has none.
 */
export function stampBuildInfo(source: string, commit: string): string {
  const pattern = /^export const COMMIT: string = "[^"\n]*";$/m;
  if (!pattern.test(source)) {
    throw new SyntaxError("Cannot stamp src/build_info.ts: no COMMIT constant");
  }
  return source.replace(
    pattern,
    `export const COMMIT: string = ${JSON.stringify(commit)};`,
  );
}

/**
 * The one line to print when `deno compile` failed because it could not
 * download Deno's runtime, or `null` when it failed for another reason.
 *
 * @param stderr What `deno compile` wrote to standard error.
 * @param target The target it was building for.
 * @returns `Cannot compile chat: ...`, or `null`.
 */
export function runtimeDownloadFailure(
  stderr: string,
  target: string,
): string | null {
  // deno-lint-ignore no-control-regex
  const text = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  if (!/Setting up base binary|\/denort-[\w-]+\.zip/.test(text)) return null;
  // The innermost cause: the last numbered line of deno's "Caused by:"
  // block (a blank line ends it, before any stack backtrace).
  const block = /^Caused by:\n((?:[ \t]+.*\n?)*)/m.exec(text)?.[1] ?? "";
  const causes = [...block.matchAll(/^\s+\d+: (.+)$/gm)].map((m) => m[1]!);
  const cause = causes.at(-1)?.trim() || "no answer";
  return `Cannot compile chat: Deno's runtime for ${target} could not be downloaded from dl.deno.land (${cause}); build on a machine with internet access, or use a release archive (README.md, "Download and use")`;
}

/**
 * The commit of the checkout: `git rev-parse --short=7 HEAD`, with `-dirty`
 * when tracked files other than `src/build_info.ts` have changes, or
 * `unknown` where git cannot tell.
 *
 * @param root The repository's folder.
 * @returns Such as `abc1234`.
 */
export async function describeCommit(root: string | URL): Promise<string> {
  const git = async (...args: string[]) => {
    try {
      const output = await new Deno.Command("git", {
        args,
        cwd: root,
        stdout: "piped",
        stderr: "null",
      }).output();
      return output.success ? new TextDecoder().decode(output.stdout) : null;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null; // no git
      throw error;
    }
  };
  const head = (await git("rev-parse", "--short=7", "HEAD"))?.trim();
  if (!head) return "unknown";
  const status = await git("status", "--porcelain", "--untracked-files=no");
  const changed = (status ?? "").split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line) => !line.endsWith("src/build_info.ts"));
  return changed.length > 0 ? `${head}-dirty` : head;
}

/**
 * Builds the program.
 *
 * @param args The tool's arguments.
 * @returns The exit code: 0 built, 1 failed, 2 usage mistake.
 */
export async function compile(args: readonly string[]): Promise<number> {
  let request;
  try {
    request = parseCompileArgs(args);
  } catch (error) {
    if (!(error instanceof CompileUsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  const root = new URL("../../", import.meta.url);
  const buildInfo = new URL("src/build_info.ts", root);
  const commit = await describeCommit(root);
  const original = await Deno.readTextFile(buildInfo);
  const restore = () => Deno.writeTextFileSync(buildInfo, original);
  // Ctrl-C stops `deno compile` too; the committed file comes back first.
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT", "SIGBREAK"]
    : ["SIGINT", "SIGTERM"];
  const onSignal = () => {
    restore();
    Deno.exit(130);
  };
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  let output;
  try {
    await Deno.writeTextFile(buildInfo, stampBuildInfo(original, commit));
    output = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(request),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } finally {
    restore();
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  }
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) {
    const line = runtimeDownloadFailure(stderr, request.target);
    if (line !== null) {
      console.error(line);
      return 1;
    }
    await _writeAll(Deno.stderr, output.stderr);
    await _writeAll(Deno.stdout, output.stdout);
    return output.code === 0 ? 1 : output.code;
  }
  const exe = request.target.includes("windows") &&
      !request.output.endsWith(".exe")
    ? ".exe"
    : "";
  console.log(
    `Compiled chat ${VERSION} (${commit}) for ${request.target}: ${request.output}${exe}`,
  );
  return 0;
}

async function _writeAll(
  to: { write(bytes: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await to.write(bytes.subarray(written));
  }
}

if (import.meta.main) {
  Deno.exit(await compile(Deno.args));
}
