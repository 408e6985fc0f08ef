import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { TextLineStream } from "@std/streams/text-line-stream";
import { VERSION } from "../../src/cli.ts";
import { ChatProcess, eventually, plainUser, runChat } from "../_helpers.ts";
import { testFolder } from "../_chat_command.ts";

Deno.test("chat --version prints the version and the commit it was built from, and exits 0", async () => {
  const result = await runChat(["--version"]);
  assertEquals(result.code, 0);
  if (Deno.env.get("CHAT_BIN")) {
    // A compiled chat names its commit (CI checks it is the checkout's).
    assertMatch(
      result.stdout,
      new RegExp(
        `^chat ${
          VERSION.replaceAll(".", "\\.")
        } \\(([0-9a-f]{7,40}(-dirty)?|unknown|source)\\)\n$`,
      ),
    );
  } else {
    assertEquals(result.stdout, `chat ${VERSION} (source)\n`);
  }
});

Deno.test("chat --help, serve --help and join --help print usage and exit 0", async () => {
  const main = await runChat(["--help"]);
  assertEquals(main.code, 0);
  assertStringIncludes(main.stdout, "chat serve");
  assertStringIncludes(main.stdout, "chat join HOST[:PORT]");
  const serve = await runChat(["serve", "--help"]);
  assertEquals(serve.code, 0);
  assertStringIncludes(serve.stdout, "--max-per-ip");
  const join = await runChat(["join", "--help"]);
  assertEquals(join.code, 0);
  assertStringIncludes(join.stdout, "--name NAME");
});

Deno.test("an unknown subcommand or flag prints the error and where to find help, and exits 2", async () => {
  const cases: [string[], string][] = [
    [["frobnicate"], "see chat --help"],
    [["--frob"], "see chat --help"],
    [[], "see chat --help"],
    [["serve", "--frob"], "see chat serve --help"],
    [["join", "127.0.0.1", "--frob"], "see chat join --help"],
  ];
  for (const [args, hint] of cases) {
    const result = await runChat(args);
    assertEquals(result.code, 2, `chat ${args.join(" ")}`);
    const lines = result.stderr.split("\n");
    assertEquals(lines.length, 3, result.stderr);
    assertMatch(lines[0]!, /^chat: Cannot /);
    assertEquals(lines.slice(1), [hint, ""]);
    assertEquals(result.stdout, "");
  }
});

Deno.test("chat join rejects a bad address, port or name with exit 2 (RF-6)", async () => {
  const cases: [string[], RegExp][] = [
    [["join", "300.1.1.1", "--name", "ana"], /IPv4 address is four numbers/],
    [["join", "127.0.0.1:70000", "--name", "ana"], /port 70000/],
    [["join", "127.0.0.1:abc", "--name", "ana"], /port "abc"/],
    [["join", "bad_host!", "--name", "ana"], /not a valid host name/],
    [["join", "127.0.0.1", "--name", "a b"], /"a b" is not allowed/],
    [["join", "127.0.0.1", "--name", "x".repeat(30)], /too long/],
    [["join", "127.0.0.1", "--name", "server"], /reserved/],
  ];
  for (const [args, message] of cases) {
    const result = await runChat(args);
    assertEquals(result.code, 2, `chat ${args.join(" ")}: ${result.stderr}`);
    assertMatch(result.stderr.split("\n")[0]!, message);
  }
});

Deno.test("chat join to a closed port says so and exits 1 (RF-8)", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const result = await runChat(["join", `127.0.0.1:${port}`, "--name", "ana"], {
    stdin: "",
  });
  assertEquals(result.code, 1);
  const lines = result.stderr.trim().split("\n");
  assertEquals(lines.length, 1, result.stderr);
  assertMatch(
    lines[0]!,
    /^Cannot connect to 127\.0\.0\.1:\d+: connection refused/,
  );
});

Deno.test("chat serve on a busy port prints one line and exits 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    const result = await runChat([
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ]);
    assertEquals(result.code, 1);
    assertEquals(
      result.stderr.trim(),
      `chat: Cannot listen on 127.0.0.1:${port}: address already in use; is another server running? choose another --port`,
    );
  } finally {
    listener.close();
  }
});

Deno.test("chat serve with a host that is not this computer's prints one line and exits 1", async () => {
  const result = await runChat([
    "serve",
    "--host",
    "192.0.2.123",
    "--port",
    "0",
  ]);
  assertEquals(result.code, 1);
  assertMatch(
    result.stderr.trim(),
    /^chat: Cannot listen on 192\.0\.2\.123:0: /,
  );
  assertEquals(result.stderr.trim().split("\n").length, 1);
});

Deno.test("the server prints each client's IP and port, joins and leaves (RF-4)", async () => {
  const { process, port } = await ChatProcess.server();
  try {
    // `chat join` from a compiled chat, `deno task join` from source.
    await process.waitFor(
      /^join with: (chat|deno task) join 127\.0\.0\.1:\d+ --name <you>$/,
    );
    const ana = await plainUser(port, "ana");
    const local = ana.localPort;
    await process.waitFor(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d connect 127\\.0\\.0\\.1:${local}$`,
      ),
    );
    await process.waitFor(`join ana (127.0.0.1:${local})`);
    await ana.send("/quit see you");
    await ana.ended;
    await process.waitFor(`leave ana (127.0.0.1:${local}): quit "see you"`);
    await ana.close();
    process.kill("SIGTERM");
    assertEquals(await process.status(), 0);
  } finally {
    await process.stop();
  }
});

Deno.test("deno task serve prints the join command that works from source, and it joins", async () => {
  // As a person with a checkout runs it (README, From source); not through
  // CHAT_BIN: this is the program run from source.
  const root = new URL("../../", import.meta.url);
  // The task's permissions let it keep its history: in a folder of its own.
  const data = await Deno.makeTempDir({ prefix: "chat_task_" });
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "task",
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--no-web",
      "--data",
      data,
    ],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1", LANG: "en_US.UTF-8" },
  }).spawn();
  const lines: string[] = [];
  const reading = (async () => {
    const stream = server.stdout.pipeThrough(new TextDecoderStream())
      .pipeThrough(new TextLineStream());
    for await (const line of stream) lines.push(line);
  })();
  const line = (pattern: RegExp) =>
    eventually(
      () => lines.find((line) => pattern.test(line)),
      `a line matching ${pattern}; got:\n${lines.join("\n")}`,
    );
  try {
    const hint = await line(/^join with: /);
    assertMatch(
      hint,
      /^join with: deno task join 127\.0\.0\.1:\d+ --name <you>$/,
    );
    // Typed as printed, in the checkout, it joins.
    const [deno, ...args] = hint.slice("join with: ".length)
      .replace("<you>", "ana").split(" ");
    assertEquals(deno, "deno");
    const join = new Deno.Command(Deno.execPath(), {
      // A server met for the first time, and no real home touched.
      args: [
        ...args,
        "--trust-new",
        "--known-servers",
        `${testFolder()}/known_servers`,
      ],
      cwd: root,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", LANG: "en_US.UTF-8" },
    }).spawn();
    const input = join.stdin.getWriter();
    await input.write(new TextEncoder().encode("hello from a checkout\n"));
    await input.close();
    const result = await join.output();
    assertEquals(result.code, 0, new TextDecoder().decode(result.stderr));
    await line(/ join ana \(127\.0\.0\.1:\d+\)$/);
    await line(/ leave ana \(127\.0\.0\.1:\d+\): quit$/);
    assertEquals(await line(/^history in /), `history in ${data}/history.db`);
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await reading;
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("SIGTERM tells every member the server is shutting down and exits 0", async () => {
  const { process, port } = await ChatProcess.server();
  try {
    const ana = await plainUser(port, "ana");
    const bob = await plainUser(port, "bob");
    const started = Date.now();
    process.kill("SIGTERM");
    await ana.expect("The server is shutting down");
    await bob.expect("The server is shutting down");
    // status() fails if the process has not exited by its deadline.
    assertEquals(await process.status(), 0);
    console.log(`exited ${Date.now() - started} ms after SIGTERM`);
    await Promise.all([ana.ended, bob.ended]);
    await Promise.all([ana.close(), bob.close()]);
  } finally {
    await process.stop();
  }
});

Deno.test("a scripted non-interactive session sends every line and leaves cleanly", async () => {
  const { process, port } = await ChatProcess.server();
  try {
    const ana = await plainUser(port, "ana");
    const lines = Array.from({ length: 15 }, (_, i) => `build step ${i} ok`);
    const result = await runChat(
      ["join", `127.0.0.1:${port}`, "--name", "ci"],
      {
        stdin: lines.join("\n") + "\nbuild finished\n",
      },
    );
    assertEquals(result.code, 0, result.stderr);
    await ana.expect("ci joined the chat!");
    for (const line of lines) await ana.expect(`ci: ${line}`);
    await ana.expect("ci: build finished");
    await ana.expect("ci left the chat! (quit)");
    await ana.close();
  } finally {
    await process.stop();
  }
});

Deno.test("piped input longer than the flood burst is paced, not lost", async () => {
  const { process, port } = await ChatProcess.server([
    "--rate",
    "20",
    "--burst",
    "4",
  ]);
  try {
    const ana = await plainUser(port, "ana");
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const result = await runChat(
      ["join", `127.0.0.1:${port}`, "--name", "ci"],
      {
        stdin: lines.join("\n") + "\n",
      },
    );
    assertEquals(result.code, 0, result.stderr);
    for (const line of lines) await ana.expect(`ci: ${line}`);
    await ana.expect("ci left the chat! (quit)");
    assert(!ana.lines.some((l) => l.includes("Slow down")));
    await ana.close();
  } finally {
    await process.stop();
  }
});

Deno.test("chat serve applies its limit flags: --line-limit refuses longer lines", async () => {
  const { process, port } = await ChatProcess.server(["--line-limit", "300"]);
  try {
    const ana = await plainUser(port, "ana");
    const bob = await plainUser(port, "bob");
    await bob.send("y".repeat(400));
    await bob.expect("!! Your line was longer than 300 bytes and was not sent");
    await bob.send("z".repeat(300));
    await ana.expect("bob: " + "z".repeat(300));
    await Promise.all([ana.close(), bob.close()]);
  } finally {
    await process.stop();
  }
});
