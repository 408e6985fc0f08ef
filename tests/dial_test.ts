import { assertEquals, assertRejects, assertStrictEquals } from "@std/assert";
import { dial, DialError } from "../src/dial.ts";
import { CLIENT_STRINGS } from "../src/strings.ts";

const EN = CLIENT_STRINGS.en;

function failing(error: unknown) {
  return (): Promise<Deno.TcpConn> => Promise.reject(error);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

Deno.test("dial() connects to a listening server", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conn = await dial("127.0.0.1", listener.addr.port);
  const accepted = await listener.accept();
  try {
    // The same connection, seen from both ends, and bytes go both ways.
    assertEquals(conn.remoteAddr.port, listener.addr.port);
    assertEquals(accepted.remoteAddr.port, conn.localAddr.port);
    await conn.write(new TextEncoder().encode("hi"));
    await accepted.write(new TextEncoder().encode("ho"));
    const got = new Uint8Array(2);
    assertEquals(await accepted.read(got), 2);
    assertEquals(new TextDecoder().decode(got), "hi");
    assertEquals(await conn.read(got), 2);
    assertEquals(new TextDecoder().decode(got), "ho");
  } finally {
    conn.close();
    accepted.close();
  }
});

Deno.test("dial() says what to check when nothing listens on the port", async () => {
  const port = freePort();
  const error = await assertRejects(() => dial("127.0.0.1", port), DialError);
  assertEquals(error.message, EN.connectRefused(`127.0.0.1:${port}`));
  assertEquals((error as DialError).failure, "refused");
  assertEquals(
    error.message,
    `Cannot connect to 127.0.0.1:${port}: connection refused; is "chat serve" running there, and is the port right?`,
  );
});

Deno.test("dial() names an unknown host", async () => {
  const error = await assertRejects(
    () => dial("no-such-host.invalid", 50001, { timeoutMs: 5000 }),
    DialError,
  );
  assertEquals((error as DialError).failure, "unknown_host");
  assertEquals(
    error.message,
    EN.connectUnknownHost("no-such-host.invalid:50001", "no-such-host.invalid"),
  );
});

Deno.test("dial() times out, and closes a connection that arrives too late", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let late: Promise<Deno.TcpConn> | undefined;
  const error = await assertRejects(
    () =>
      dial("127.0.0.1", listener.addr.port, {
        timeoutMs: 20,
        connect: (options) => {
          late = released.then(() => Deno.connect(options));
          return late;
        },
      }),
    DialError,
  );
  assertEquals((error as DialError).failure, "timed_out");
  assertEquals(
    error.message,
    EN.connectTimedOut(`127.0.0.1:${listener.addr.port}`, 0.02),
  );
  // Now let the connection through: dial() must close it.
  release();
  await late;
  const accepted = await listener.accept();
  assertEquals(
    await accepted.read(new Uint8Array(1)),
    null,
    "closed by dial()",
  );
  accepted.close();
});

Deno.test("dial() maps unreachable networks and hosts", async () => {
  for (
    const error of [
      new Deno.errors.NetworkUnreachable(
        "Network is unreachable (os error 101)",
      ),
      Object.assign(new Error("No route to host (os error 113)"), {
        code: "EHOSTUNREACH",
      }),
      new Deno.errors.AddrNotAvailable("Cannot assign requested address"),
    ]
  ) {
    const failure = await assertRejects(
      () => dial("10.9.8.7", 50001, { connect: failing(error) }),
      DialError,
    );
    assertEquals(failure.message, EN.connectUnreachable("10.9.8.7:50001"));
    assertStrictEquals(failure.cause, error);
  }
});

Deno.test("dial() reports the system's own time-out", async () => {
  const failure = await assertRejects(
    () =>
      dial("10.9.8.7", 50001, {
        connect: failing(new Deno.errors.TimedOut("Connection timed out")),
      }),
    DialError,
  );
  assertEquals((failure as DialError).failure, "timed_out");
});

Deno.test("dial() passes on other errors in words, in the chosen language", async () => {
  const failure = await assertRejects(
    () =>
      dial("fe80::1", 50001, {
        lang: "pt",
        connect: failing(new TypeError("Invalid argument (os error 22)")),
      }),
    DialError,
  );
  assertEquals(
    failure.message,
    "Não foi possível conectar a [fe80::1]:50001: invalid argument",
  );
});

Deno.test("dial() gives up when its signal is aborted", async () => {
  const controller = new AbortController();
  const reason = new Error("interrupted");
  const pending = dial("127.0.0.1", 1, {
    signal: controller.signal,
    connect: () => new Promise(() => {}),
  });
  controller.abort(reason);
  const error = await assertRejects(() => pending);
  assertStrictEquals(error, reason);
});
