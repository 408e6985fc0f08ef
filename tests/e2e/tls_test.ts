// TLS end to end: chat join against chat serve (subprocesses), with the
// trust decisions a person makes (--fingerprint, --trust-new, a changed
// identity), and the TLS clients people already have (openssl s_client,
// ncat --ssl) on the same port as plain netcat users.

import {
  assert,
  assertEquals,
  assertFalse,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { chatCommand, testFolder } from "../_chat_command.ts";
import {
  ChatProcess,
  eventually,
  LineClient,
  nativeUser,
  plainUser,
  runChat,
  withServer,
} from "../_helpers.ts";
import { have } from "../_tools.ts";
import { createTlsIdentity } from "../../src/transport/tls_identity.ts";
import { tlsServerContext, TlsStream } from "../../src/transport/tls_stream.ts";
import { formatFingerprint } from "../../src/transport/fingerprint.ts";

/** `chat serve` in a subprocess, and the fingerprint it printed. */
async function server(
  extra: string[] = [],
): Promise<{ process: ChatProcess; port: number; fingerprint: string }> {
  const { process, port } = await ChatProcess.server(["--no-web", ...extra]);
  const line = await process.waitFor(/^fingerprint SHA256:/);
  await process.waitFor(/^for IRC clients: ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  return { process, port, fingerprint: /(SHA256:\S+)/.exec(line)![1]! };
}

/** Runs `chat join` with exactly these arguments (no trust added). */
async function joinAsIs(
  args: string[],
  stdin = "",
  env: Record<string, string> = {},
) {
  const { cmd, args: full } = chatCommand(["join", ...args], {
    isolate: false,
  });
  const child = new Deno.Command(cmd, {
    args: full,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", LANG: "en_US.UTF-8", ...env },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const output = await child.output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test("chat join talks over TLS with the fingerprint chat serve printed, next to plain and TLS line clients on the same port", async () => {
  const { process, port, fingerprint } = await server();
  const plain = await plainUser(port, "nc");
  const tls = await LineClient.connectTls(port);
  try {
    await tls.send("tlsuser");
    await tls.expect("Welcome, tlsuser!");
    const result = await runChat(
      [
        "join",
        `127.0.0.1:${port}`,
        "--name",
        "ci",
        "--fingerprint",
        fingerprint,
      ],
      { stdin: "hello over tls\n" },
    );
    assertEquals(result.code, 0, result.stderr);
    await plain.expect("ci: hello over tls");
    await tls.expect("ci: hello over tls");
    await plain.send("and back in plain text");
    await tls.expect("nc: and back in plain text");
    await process.waitFor(/ tls 127\.0\.0\.1:\d+: TLSv1\.[23]$/);
  } finally {
    await plain.close();
    await tls.close();
    await process.stop();
  }
});

Deno.test("chat join --trust-new keeps a server met for the first time in an owner-only file, and joins it again without a flag", async () => {
  const { process, port, fingerprint } = await server();
  const file = `${testFolder()}/config/chat/known_servers`;
  try {
    const first = await joinAsIs(
      [
        `127.0.0.1:${port}`,
        "--name",
        "ci",
        "--known-servers",
        file,
        "--trust-new",
      ],
      "one\n",
    );
    assertEquals(first.code, 0, first.stderr);
    const text = Deno.readTextFileSync(file);
    assertStringIncludes(text, `\n127.0.0.1:${port} ${fingerprint}\n`);
    if (Deno.build.os !== "windows") {
      assertEquals(Deno.statSync(file).mode! & 0o777, 0o600);
    }
    const again = await joinAsIs(
      [`127.0.0.1:${port}`, "--name", "ci", "--known-servers", file],
      "two\n",
    );
    assertEquals(again.code, 0, again.stderr);
    assertEquals(Deno.readTextFileSync(file), text);
  } finally {
    await process.stop();
  }
});

Deno.test("A piped chat join refuses a server it never met, names the fingerprint to pin, and never joins", async () => {
  const { process, port, fingerprint } = await server();
  const file = `${testFolder()}/known_servers`;
  try {
    const result = await joinAsIs(
      [`127.0.0.1:${port}`, "--name", "ci", "--known-servers", file],
      "never sent\n",
    );
    assertEquals(result.code, 1);
    assertStringIncludes(
      result.stderr,
      `Cannot join 127.0.0.1:${port}: its identity is not known (fingerprint ${fingerprint}); `,
    );
    assertStringIncludes(result.stderr, `--fingerprint ${fingerprint}`);
    assertFalse(process.stdout.some((line) => / join ci /.test(line)));
    let exists = true;
    try {
      Deno.statSync(file);
    } catch {
      exists = false;
    }
    assertFalse(exists, "an unknown server was kept");
  } finally {
    await process.stop();
  }
});

Deno.test("chat join --fingerprint refuses a server with another one", async () => {
  const { process, port, fingerprint } = await server();
  const other = formatFingerprint(new Uint8Array(32).fill(7));
  try {
    const result = await joinAsIs(
      [
        `127.0.0.1:${port}`,
        "--name",
        "ci",
        "--known-servers",
        `${testFolder()}/known_servers`,
        "--fingerprint",
        other,
      ],
      "never sent\n",
    );
    assertEquals(result.code, 1);
    assertStringIncludes(
      result.stderr,
      `its fingerprint is ${fingerprint}, not ${other} as --fingerprint says`,
    );
    assertFalse(process.stdout.some((line) => / join ci /.test(line)));
  } finally {
    await process.stop();
  }
});

Deno.test("A server restarted with a new identity on the same port is refused loudly, even with --trust-new, and nobody joins it", async () => {
  const file = `${testFolder()}/known_servers`;
  const before = await server();
  const port = before.port;
  try {
    const first = await joinAsIs(
      [
        `127.0.0.1:${port}`,
        "--name",
        "ci",
        "--known-servers",
        file,
        "--trust-new",
      ],
      "hi\n",
    );
    assertEquals(first.code, 0, first.stderr);
  } finally {
    await before.process.stop();
  }
  // Another data folder: another identity, on the same address.
  const after = await server(["--port", String(port)]);
  try {
    assert(after.fingerprint !== before.fingerprint);
    const result = await joinAsIs(
      [
        `127.0.0.1:${port}`,
        "--name",
        "ci",
        "--known-servers",
        file,
        "--trust-new",
      ],
      "must not be sent\n",
    );
    assertEquals(result.code, 1);
    const lines = result.stderr.split("\n");
    assertEquals(
      lines[0],
      `@@@ WARNING: THE IDENTITY OF CHAT SERVER 127.0.0.1:${port} HAS CHANGED @@@`,
    );
    assertStringIncludes(result.stderr, "This may be an attack");
    assertStringIncludes(
      result.stderr,
      `Known fingerprint: ${before.fingerprint}`,
    );
    assertStringIncludes(
      result.stderr,
      `Fingerprint now:   ${after.fingerprint}`,
    );
    assertStringIncludes(result.stderr, `line\n2 of ${file} and join again.`);
    await after.process.waitFor(/ tls 127\.0\.0\.1:\d+: TLSv1\.[23]$/);
    assertFalse(after.process.stdout.some((line) => / join ci /.test(line)));
  } finally {
    await after.process.stop();
  }
});

Deno.test("chat join sends not one byte to a server that shows another key than the one kept", async () => {
  const identity = await createTlsIdentity();
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const file = `${testFolder()}/known_servers`;
  Deno.writeTextFileSync(
    file,
    `127.0.0.1:${port} ${formatFingerprint(new Uint8Array(32).fill(1))}\n`,
  );
  const received = (async () => {
    const stream = await TlsStream.accept(await listener.accept(), {
      context: tlsServerContext(identity),
    });
    let bytes = 0;
    const buffer = new Uint8Array(4096);
    try {
      while (true) {
        const n = await stream.read(buffer);
        if (n === null) break;
        bytes += n;
      }
    } catch {
      // reset: the client went away
    }
    stream.close();
    return bytes;
  })();
  const result = await joinAsIs(
    [`127.0.0.1:${port}`, "--name", "ci", "--known-servers", file],
    "secret text\n",
  );
  assertEquals(result.code, 1);
  assertStringIncludes(result.stderr, "HAS CHANGED");
  assertEquals(await received, 0);
});

Deno.test({
  name: "openssl s_client is a plain-dialect TLS client on the chat port",
  ignore: !have("openssl", "version"),
  async fn() {
    await withServer(async (server) => {
      const port = server.chat.addr.port;
      const plain = await plainUser(port, "nc");
      const child = new Deno.Command("openssl", {
        args: ["s_client", "-quiet", "-connect", `127.0.0.1:${port}`],
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const out: string[] = [];
      const reading = (async () => {
        for await (
          const chunk of child.stdout.pipeThrough(new TextDecoderStream())
        ) out.push(chunk);
      })();
      const writer = child.stdin.getWriter();
      try {
        await eventually(
          () => out.join("").includes("What is your name?") || undefined,
          "openssl to be asked its name",
        );
        await writer.write(new TextEncoder().encode("osl\n"));
        await eventually(
          () => out.join("").includes("Welcome, osl!") || undefined,
          "openssl to be welcomed",
        );
        await writer.write(new TextEncoder().encode("hello from openssl\n"));
        await plain.expect("osl: hello from openssl");
        await plain.send("hi openssl");
        await eventually(
          () => out.join("").includes("nc: hi openssl") || undefined,
          "openssl to hear nc",
        );
      } finally {
        // -quiet also ignores the end of input: it is stopped instead.
        await writer.close();
        await plain.close();
        child.kill("SIGTERM");
        await child.status;
        await reading;
      }
    });
  },
});

Deno.test({
  name: "ncat --ssl joins on the chat port",
  ignore: !have("ncat", "--version"),
  async fn() {
    await withServer(async (server) => {
      const port = server.chat.addr.port;
      const output = await new Deno.Command("bash", {
        args: [
          "-c",
          `(echo ncatuser; sleep 1; echo /quit) | ncat --ssl 127.0.0.1 ${port}`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertStringIncludes(
        new TextDecoder().decode(output.stdout),
        "Welcome, ncatuser!",
      );
    });
  },
});

Deno.test({
  name: "TLS 1.1 is refused and the server goes on",
  ignore: !have("openssl", "version"),
  async fn() {
    await withServer(async (server, logs) => {
      const port = server.chat.addr.port;
      const output = await new Deno.Command("openssl", {
        args: ["s_client", "-tls1_1", "-connect", `127.0.0.1:${port}`],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertFalse(output.success);
      await eventually(
        () => logs.find((line) => / tls 127\.0\.0\.1:\d+: /.test(line)),
        "the refused handshake in the log",
      );
      const after = await plainUser(port, "still");
      await after.close();
    });
  },
});

Deno.test("--require-tls refuses a plain connection with one line saying how to connect, and takes TLS ones", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const plain = await LineClient.connect(port);
    await plain.ended;
    assertEquals(plain.lines, [
      `This server takes encrypted connections only: use chat join, ncat --ssl HOST ${port} or openssl s_client -connect HOST:${port}`,
    ]);
    const tls = await LineClient.connectTls(port);
    await tls.send("secure");
    await tls.expect("Welcome, secure!");
    await tls.close();
  }, { requireTls: true });
});

Deno.test("chat serve keeps its identity across restarts in its data folder, even with --memory", async () => {
  const data = `${testFolder()}/data`;
  const one = await server(["--data", data, "--memory"]);
  await one.process.stop();
  const two = await server(["--data", data, "--memory"]);
  await two.process.stop();
  assertEquals(two.fingerprint, one.fingerprint);
  assertMatch(one.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  assert(
    one.process.stdout.some((line) =>
      line.endsWith(`made a new server identity, kept in ${data}/identity.pem`)
    ),
  );
  assertFalse(
    two.process.stdout.some((line) =>
      line.includes("made a new server identity")
    ),
  );
});

Deno.test("chat serve names a corrupt identity file, and exits 1", async () => {
  const data = `${testFolder()}/data`;
  Deno.mkdirSync(data);
  Deno.writeTextFileSync(`${data}/identity.pem`, "not a key\n");
  const result = await runChat([
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--data",
    data,
  ]);
  assertEquals(result.code, 1);
  assertEquals(
    result.stderr,
    `chat: Cannot read the server identity ${data}/identity.pem: it holds no PEM certificate\n`,
  );
});

/** Runs openssl with `args`; fails the test with what it said otherwise. */
async function openssl(args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert(success, new TextDecoder().decode(stderr));
}

/**
 * A certificate authority, and a server certificate it signed for
 * `localhost` and 127.0.0.1, in `dir`: `ca.pem`, `server.pem`, `server.key`.
 */
async function makeCa(dir: string): Promise<void> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
  await openssl([
    "req",
    "-x509",
    ...ec,
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=chat test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout",
    `${dir}/ca.key`,
    "-out",
    `${dir}/ca.pem`,
  ]);
  await openssl([
    "req",
    ...ec,
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    `${dir}/server.key`,
    "-out",
    `${dir}/server.csr`,
  ]);
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    `${dir}/server.csr`,
    "-CA",
    `${dir}/ca.pem`,
    "-CAkey",
    `${dir}/ca.key`,
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    `${dir}/ext.cnf`,
    "-out",
    `${dir}/server.pem`,
  ]);
}

Deno.test({
  name:
    "chat join accepts without a question a certificate a trusted CA vouches for (DENO_CERT), and keeps nothing in known_servers",
  ignore: !have("openssl", "version"),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "chat_ca_" });
    try {
      await makeCa(dir);
      const { process, port } = await ChatProcess.server([
        "--no-web",
        "--tls-cert",
        `${dir}/server.pem`,
        "--tls-key",
        `${dir}/server.key`,
      ]);
      const file = `${dir}/known_servers`;
      try {
        const watcher = await plainUser(port, "nc");
        try {
          for (const host of ["127.0.0.1", "localhost"]) {
            const result = await joinAsIs(
              [`${host}:${port}`, "--name", "ci", "--known-servers", file],
              `vouched via ${host}\n`,
              { DENO_CERT: `${dir}/ca.pem` },
            );
            assertEquals(result.code, 0, result.stderr);
            assertFalse(
              /Trust chat server/.test(result.stdout + result.stderr),
            );
            await watcher.expect(`ci: vouched via ${host}`);
          }
          // Without the CA the same certificate is a stranger.
          const stranger = await joinAsIs(
            [`127.0.0.1:${port}`, "--name", "ci", "--known-servers", file],
            "never sent\n",
          );
          assertEquals(stranger.code, 1);
          assertStringIncludes(stranger.stderr, "its identity is not known");
        } finally {
          await watcher.close();
        }
        let exists = true;
        try {
          Deno.statSync(file);
        } catch {
          exists = false;
        }
        assertFalse(exists, "a vouched-for server was kept");
      } finally {
        await process.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a netcat user who answers the name prompt is named once: the answer is not said in the room", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const watcher = await nativeUser(port, "watcher");
    // Silent until asked, as a person at netcat is: the first bytes come
    // after the server took the connection as plain and prompted.
    const dan = await LineClient.connect(port);
    try {
      await dan.expect("What is your name?");
      await dan.write("dan\n");
      await dan.expect("Welcome, dan!");
      await dan.write("hello\n");
      await watcher.expectMessage("join", (m) => m.name === "dan");
      await watcher.expectMessage("message", (m) => m.text === "hello");
      const said = watcher.lines.map((line) => JSON.parse(line))
        .filter((m) => m.type === "message").map((m) => m.text);
      assertEquals(said, ["hello"]);
      assertFalse(dan.lines.some((line) => line.includes("could not read")));
    } finally {
      await dan.close();
      await watcher.close();
    }
  });
});
