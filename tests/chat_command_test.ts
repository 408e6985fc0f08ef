// The switch for the program under test (tests/_chat_command.ts), and the
// switch itself exercised: end-to-end suites run, unchanged, against a
// stand-in for a compiled chat that CHAT_BIN names.

import {
  assert,
  assertEquals,
  assertFalse,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { PERMISSIONS, V8_FLAGS } from "../src/tools/compile.ts";
import { chatCommand, MAIN } from "./_chat_command.ts";

Deno.test("chatCommand() runs main.ts with deno when CHAT_BIN is unset or empty", () => {
  for (const bin of [undefined, ""]) {
    assertEquals(
      chatCommand(["serve", "--port", "0"], { bin, isolate: false }),
      {
        cmd: Deno.execPath(),
        args: ["run", "-A", ...V8_FLAGS, MAIN, "serve", "--port", "0"],
      },
    );
  }
  assertEquals(MAIN, new URL("../main.ts", import.meta.url).href);
});

Deno.test("chatCommand() gives a chat serve a temporary data folder and keeps its history in memory, never in the home folder", () => {
  const [serve, memory, port, zero, data, folder, ...rest] = chatCommand([
    "serve",
    "--port",
    "0",
  ], { bin: "" }).args.slice(3 + V8_FLAGS.length);
  assertEquals([serve, memory, port, zero, data, rest], [
    "serve",
    "--memory",
    "--port",
    "0",
    "--data",
    [],
  ]);
  assertMatch(folder!, /chat-test-.*\/data$/);
  assertFalse(folder!.startsWith(Deno.env.get("HOME") ?? "/nonexistent/"));
  // A test's own data folder keeps the history on disk there.
  for (const given of [["--data", "/tmp/x"], ["--data=/tmp/x"]]) {
    assertEquals(
      chatCommand(["serve", ...given], { bin: "" }).args.slice(
        3 + V8_FLAGS.length,
      ),
      ["serve", ...given],
    );
  }
  // --memory alone still needs a folder for the TLS identity.
  assertEquals(
    chatCommand(["serve", "--memory"], { bin: "" }).args.slice(
      3 + V8_FLAGS.length,
      6 + V8_FLAGS.length,
    ),
    ["serve", "--memory", "--data"],
  );
});

Deno.test("chatCommand() gives a chat join a temporary known-servers file and --trust-new, unless the test pins or names its own", () => {
  const args = chatCommand(["join", "host", "--name", "ana"], {
    bin: "",
  }).args.slice(3 + V8_FLAGS.length);
  assertEquals(args.slice(0, 5), [
    "join",
    "host",
    "--name",
    "ana",
    "--known-servers",
  ]);
  assertMatch(args[5]!, /chat-test-.*\/known_servers$/);
  assertEquals(args.slice(6), ["--trust-new"]);
  const pinned = [
    "join",
    "host",
    "--fingerprint",
    "SHA256:x",
    "--known-servers",
    "/tmp/k",
  ];
  assertEquals(
    chatCommand(pinned, { bin: "" }).args.slice(3 + V8_FLAGS.length),
    pinned,
  );
});

Deno.test("chatCommand() runs the program CHAT_BIN names, by its absolute path", async () => {
  // A file in the working folder, named relatively as `dist/chat` would be.
  const file = await Deno.makeTempFile({ dir: ".", prefix: ".chat_bin_" });
  try {
    const { cmd, args } = chatCommand(["--version"], { bin: file });
    assertEquals(cmd, Deno.realPathSync(file));
    assertMatch(cmd, /^(\/|[A-Za-z]:\\)/);
    assertEquals(args, ["--version"]);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("every chat join a test starts keeps its personal key in a config folder of the test process, never the home's", () => {
  const config = Deno.env.get("XDG_CONFIG_HOME") ?? "";
  assertMatch(config, /chat_test_config_/);
  assert(Deno.statSync(config).isDirectory);
});

Deno.test("chatCommand() says so when CHAT_BIN names nothing", () => {
  const error = assertThrows(
    () => chatCommand([], { bin: "no/such/chat" }),
    Deno.errors.NotFound,
  );
  assertEquals(
    error.message,
    "Cannot run the chat that CHAT_BIN names: no/such/chat does not exist",
  );
});

function _shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

// The suites run through the stand-in: the program's options, the server,
// netcat-style and native joins, `chat join` with piped input, and the page.
const SUITES = [
  "e2e/main_test.ts",
  "e2e/client_test.ts",
  "self_contained_test.ts",
];

Deno.test({
  name:
    "end-to-end suites pass unchanged against the program CHAT_BIN names, with only the compiled permissions",
  // The stand-in is a shell script.
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chat_bin_" });
    const log = `${dir}/calls.log`;
    const bin = `${dir}/chat`;
    // Like a compiled chat: main.ts with exactly the permissions that
    // deno task compile bakes in (no file access), and the same process
    // (exec), so a test that reads the server's memory reads the server's.
    await Deno.writeTextFile(
      bin,
      [
        "#!/bin/sh",
        `printf '%s\\n' "$*" >> ${_shellQuote(log)}`,
        `exec ${_shellQuote(Deno.execPath())} run ${
          [...PERMISSIONS, ...V8_FLAGS].join(" ")
        } ${_shellQuote(MAIN)} "$@"`,
        "",
      ].join("\n"),
    );
    await Deno.chmod(bin, 0o755);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "--allow-all",
        "--sanitize-ops",
        "--sanitize-resources",
        ...SUITES.map((suite) => new URL(suite, import.meta.url).href),
      ],
      cwd: new URL("../", import.meta.url),
      env: { CHAT_BIN: bin, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // They take a few seconds here; the guard only stops a hang.
    const guardMs = 240_000;
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
          `Timed out: the suites still ran through CHAT_BIN after ${guardMs} ms`,
        );
      }
      const output = new TextDecoder().decode(outcome.stdout) +
        new TextDecoder().decode(outcome.stderr);
      assertEquals(outcome.code, 0, output);
      assertMatch(output, /\bok \| \d+ passed \| 0 failed/);
      const calls = (await Deno.readTextFile(log)).split("\n");
      assert(calls.includes("--version"), `calls:\n${calls.join("\n")}`);
      assert(
        calls.some((call) => call.startsWith("serve ")),
        `no chat serve ran through CHAT_BIN:\n${calls.join("\n")}`,
      );
      assert(
        calls.some((call) => call.startsWith("join ")),
        `no chat join ran through CHAT_BIN:\n${calls.join("\n")}`,
      );
      assertStringIncludes(output, "chat serve serves its page");
    } finally {
      clearTimeout(timer);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
