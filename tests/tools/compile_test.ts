// `deno task compile` (src/tools/compile.ts): its arguments, the permissions
// it bakes in, the commit it writes into src/build_info.ts for one build,
// and the one line it prints when Deno's runtime cannot be downloaded, run
// for real with the download made to fail.

import {
  assertEquals,
  assertFalse,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { COMMIT } from "../../src/build_info.ts";
import {
  compileArgs,
  CompileUsageError,
  DEFAULT_OUTPUT,
  describeCommit,
  parseCompileArgs,
  PERMISSIONS,
  runtimeDownloadFailure,
  stampBuildInfo,
  V8_FLAGS,
} from "../../src/tools/compile.ts";

const ROOT = new URL("../../", import.meta.url);
const BUILD_INFO = new URL("src/build_info.ts", ROOT);

// What `deno compile` printed on this machine, which has no route to
// dl.deno.land, and with a proxy that refuses connections.
const NO_DNS = `\x1b[0m\x1b[32mCheck\x1b[0m main.ts
\x1b[0m\x1b[32mCompile\x1b[0m main.ts to dist/chat
\x1b[0m\x1b[32mDownload\x1b[0m https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip
\x1b[0m\x1b[1m\x1b[31merror\x1b[0m: Writing deno compile executable to temporary file 'dist/chat.tmp-24ee3090b6ea5362'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
    2: client error (Connect)
    3: dns error
    4: failed to lookup address information: Name or service not known

Stack backtrace:
   0: <unknown>
`;
const REFUSED = `Check main.ts
Compile main.ts to /tmp/x/chat
Download https://dl.deno.land/release/v2.9.6/denort-aarch64-apple-darwin.zip
error: Writing deno compile executable to temporary file '/tmp/x/chat.tmp-524593601201d648'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-aarch64-apple-darwin.zip): client error (Connect): tcp connect error: Connection refused (os error 111)
    2: client error (Connect)
    3: tcp connect error
    4: Connection refused (os error 111)
`;

Deno.test("parseCompileArgs() builds for this computer into dist/chat by default", () => {
  assertEquals(parseCompileArgs([], "x86_64-unknown-linux-gnu"), {
    target: "x86_64-unknown-linux-gnu",
    output: DEFAULT_OUTPUT,
  });
  assertEquals(parseCompileArgs([]).target, Deno.build.target);
});

Deno.test("parseCompileArgs() takes --target and --output", () => {
  assertEquals(
    parseCompileArgs([
      "--target",
      "x86_64-pc-windows-msvc",
      "--output=dist/x/chat",
    ]),
    { target: "x86_64-pc-windows-msvc", output: "dist/x/chat" },
  );
});

Deno.test("parseCompileArgs() refuses other options, arguments and empty values", () => {
  for (
    const [args, message] of [
      [["--frob"], "unknown option --frob"],
      [["main.ts"], "unexpected argument main.ts"],
      [["--target"], "--target needs a value"],
      [["--output="], "--output needs a value"],
    ] as const
  ) {
    const error = assertThrows(
      () => parseCompileArgs(args),
      CompileUsageError,
    );
    assertMatch(error.message, /^Cannot compile chat: /);
    assertStringIncludes(error.message, message);
  }
});

Deno.test("the compiled program gets exactly the permissions chat serve runs with", async () => {
  // `deno task serve` runs every feature: the sockets, the join hints, the
  // language from LANG, the system tuning through libc, the history in the
  // data folder.
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  );
  const serve = String(config.tasks.serve).split(/\s+/)
    .filter((word) => word.startsWith("--allow-") || word === "-A");
  assertEquals([...PERMISSIONS].sort(), serve.sort());
  // Files (the data and config folders), never other programs.
  assertFalse(PERMISSIONS.some((flag) => /^--allow-run/.test(flag)));
});

Deno.test("the tasks that run chat give V8 the flags the compiled program has", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  );
  for (const task of ["serve", "join"]) {
    const flags = String(config.tasks[task]).split(/\s+/)
      .filter((word) => word.startsWith("--v8-flags"));
    assertEquals(flags, [...V8_FLAGS], `deno task ${task}`);
  }
});

Deno.test("compileArgs() passes the target, the permissions and the output to deno compile", () => {
  assertEquals(
    compileArgs(
      { target: "aarch64-apple-darwin", output: "dist/chat" },
      "main.ts",
    ),
    [
      "compile",
      "--target",
      "aarch64-apple-darwin",
      ...PERMISSIONS,
      ...V8_FLAGS,
      "--output",
      "dist/chat",
      "main.ts",
    ],
  );
  assertEquals(
    compileArgs({ target: "x", output: "y" }).at(-1),
    new URL("main.ts", ROOT).href,
  );
});

Deno.test("src/build_info.ts says source as committed, and the stamp changes only the commit", async () => {
  assertEquals(COMMIT, "source");
  const original = await Deno.readTextFile(BUILD_INFO);
  const stamped = stampBuildInfo(original, "abc1234-dirty");
  assertStringIncludes(
    stamped,
    `export const COMMIT: string = "abc1234-dirty";`,
  );
  assertEquals(stamped.replace("abc1234-dirty", "source"), original);
  assertEquals(stampBuildInfo(stamped, "source"), original);
  assertThrows(() => stampBuildInfo("// nothing", "abc1234"), SyntaxError);
});

Deno.test("describeCommit() names HEAD's commit, or unknown outside a repository", async () => {
  const head = new Deno.Command("git", {
    args: ["rev-parse", "--short=7", "HEAD"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const commit = await describeCommit(ROOT);
  if (head.success) {
    const expected = new TextDecoder().decode(head.stdout).trim();
    assertMatch(commit, new RegExp(`^${expected}(-dirty)?$`));
  } else {
    assertEquals(commit, "unknown");
  }
  const elsewhere = await Deno.makeTempDir();
  try {
    assertEquals(await describeCommit(elsewhere), "unknown");
  } finally {
    await Deno.remove(elsewhere, { recursive: true });
  }
});

Deno.test("runtimeDownloadFailure() turns deno's download error into one line with what to do", () => {
  const line = runtimeDownloadFailure(NO_DNS, "x86_64-unknown-linux-gnu");
  assertEquals(
    line,
    `Cannot compile chat: Deno's runtime for x86_64-unknown-linux-gnu could not be downloaded from dl.deno.land (failed to lookup address information: Name or service not known); build on a machine with internet access, or use a release archive (README.md, "Download and use")`,
  );
  assertStringIncludes(
    runtimeDownloadFailure(REFUSED, "aarch64-apple-darwin") ?? "",
    "(Connection refused (os error 111))",
  );
});

Deno.test("runtimeDownloadFailure() leaves other compile errors to deno", () => {
  assertEquals(
    runtimeDownloadFailure(
      "error: TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.\n    at file:///main.ts:1:7\n",
      "x86_64-unknown-linux-gnu",
    ),
    null,
  );
});

// A Deno cache that holds the project's npm packages but no runtime, and a
// proxy that refuses every connection: the download fails at once, as on a
// machine without internet access, wherever the test runs.
async function offline(): Promise<
  { env: Record<string, string>; dir: string }
> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const { npmCache } = JSON.parse(new TextDecoder().decode(info.stdout));
  const dir = await Deno.makeTempDir({ prefix: "chat_compile_" });
  await Deno.mkdir(`${dir}/deno_dir`);
  await Deno.symlink(npmCache, `${dir}/deno_dir/npm`, { type: "dir" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const proxy = `http://127.0.0.1:${listener.addr.port}`;
  listener.close();
  return {
    dir,
    env: {
      DENO_DIR: `${dir}/deno_dir`,
      HTTPS_PROXY: proxy,
      https_proxy: proxy,
      HTTP_PROXY: proxy,
      http_proxy: proxy,
      NO_PROXY: "",
      no_proxy: "",
      NO_COLOR: "1",
    },
  };
}

Deno.test({
  name:
    "deno task compile without a way to download Deno's runtime prints one line and exits 1",
  // Symbolic links to folders need privileges on Windows.
  ignore: Deno.build.os === "windows",
  async fn() {
    const { env, dir } = await offline();
    const before = await Deno.readTextFile(BUILD_INFO);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "compile", "--output", `${dir}/chat`],
      cwd: ROOT,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Here it takes about two seconds; the guard only keeps a download
    // that hangs from hanging the tests.
    const guardMs = 120_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<"hung">((resolve) => {
      timer = setTimeout(() => resolve("hung"), guardMs);
    });
    try {
      const outcome = await Promise.race([child.output(), hung]);
      if (outcome === "hung") {
        child.kill("SIGKILL");
        await child.output();
        throw new Error(
          `Timed out: deno task compile still ran after ${guardMs} ms`,
        );
      }
      const stdout = new TextDecoder().decode(outcome.stdout);
      const stderr = new TextDecoder().decode(outcome.stderr);
      // `deno task` itself first echoes the task it runs.
      const lines = stderr.split("\n")
        .filter((line) => line !== "" && !line.startsWith("Task compile "));
      assertEquals(outcome.code, 1, stderr);
      assertEquals(stdout, "");
      assertEquals(lines.length, 1, stderr);
      assertMatch(
        lines[0]!,
        new RegExp(
          `^Cannot compile chat: Deno's runtime for ${Deno.build.target} could not be downloaded from dl\\.deno\\.land \\(.+\\); build on a machine with internet access, or use a release archive`,
        ),
      );
      assertEquals(await Deno.readTextFile(BUILD_INFO), before);
      for await (const entry of Deno.readDir(dir)) {
        assertFalse(entry.name.startsWith("chat"), `${entry.name} was written`);
      }
    } finally {
      clearTimeout(timer);
      // The link first, so that nothing of the real cache is touched.
      await Deno.remove(`${dir}/deno_dir/npm`);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** `deno task compile` with `args`, to the end; `deno task`'s echo left out. */
async function compileTask(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string[] }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "compile", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr).split("\n")
      .filter((line) => line !== "" && !line.startsWith("Task compile ")),
  };
}

Deno.test("deno task compile with a usage mistake prints one line and exits 2", async () => {
  const before = await Deno.readTextFile(BUILD_INFO);
  const ran = await compileTask("--nope");
  assertEquals(ran, {
    code: 2,
    stdout: "",
    stderr: [
      "Cannot compile chat: unknown option --nope; use: deno task compile [--target TARGET] [--output PATH]",
    ],
  });
  assertEquals(await Deno.readTextFile(BUILD_INFO), before);
});

Deno.test("deno task compile passes on deno compile's own error and exit code, and puts src/build_info.ts back", async () => {
  const before = await Deno.readTextFile(BUILD_INFO);
  const ran = await compileTask("--target", "no-such-target");
  assertEquals(ran.code, 1);
  assertEquals(ran.stdout, "");
  assertStringIncludes(
    ran.stderr[0] ?? "",
    "error: invalid value 'no-such-target' for '--target'",
  );
  assertEquals(await Deno.readTextFile(BUILD_INFO), before);
});

/** `_describe_commit.ts` run on the repository with `permissions` and `env`. */
function describeElsewhere(
  permissions: string[],
  env: Record<string, string>,
): Promise<Deno.CommandOutput> {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...permissions,
      new URL("./_describe_commit.ts", import.meta.url).href,
      ROOT.pathname,
    ],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test("describeCommit() says unknown where there is no git to ask, and does not hide a missing --allow-run", async () => {
  const noGit = await describeElsewhere(["--allow-run"], {
    PATH: "/nonexistent",
  });
  assertEquals(new TextDecoder().decode(noGit.stderr), "");
  assertEquals(new TextDecoder().decode(noGit.stdout), "unknown\n");
  const noRun = await describeElsewhere([], { NO_COLOR: "1" });
  assertEquals(noRun.code, 1);
  assertEquals(new TextDecoder().decode(noRun.stdout), "");
  assertStringIncludes(
    new TextDecoder().decode(noRun.stderr),
    'NotCapable: Requires run access to "git"',
  );
});
