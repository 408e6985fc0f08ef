import { assertEquals, assertRejects, assertStrictEquals } from "@std/assert";
import { dial, DialError } from "../../src/client/dial.ts";
import { CLIENT_STRINGS } from "../../src/i18n/client_strings.ts";
import { assert, assertMatch } from "@std/assert";
import { TextLineStream } from "@std/streams/text-line-stream";
import { ChatProcess, within } from "../_helpers.ts";
import { canUseNamespaces, ip } from "../_tools.ts";

const EN = CLIENT_STRINGS.en;

function failing(error: unknown) {
  return (): Promise<Deno.TcpConn> => Promise.reject(error);
}

/** What one dial() in another network namespace ended with. */
interface Outcome {
  connected?: true;
  failure?: string;
  message?: string;
  /** The class and code of the platform error. */
  cause?: string;
  code?: string;
}

// Run as a program (inside a network namespace, by DialFrom below), this
// file dials once with the dial() the tests import, prints how it ended as
// one JSON line, and stays until its input ends: a connection that arrives
// after the time-out must be closed by dial(), not by the exit.
if (import.meta.main) {
  const [hostname, port, timeoutMs] = Deno.args;
  let outcome: Outcome;
  try {
    const conn = await dial(hostname!, Number(port), {
      timeoutMs: Number(timeoutMs),
    });
    conn.close();
    outcome = { connected: true };
  } catch (error) {
    const cause = (error as Error).cause as { code?: string } | undefined;
    outcome = {
      failure: (error as DialError).failure,
      message: (error as Error).message,
      cause: cause?.constructor.name ?? "",
      code: cause?.code ?? "",
    };
  }
  console.log(JSON.stringify(outcome));
  await Deno.stdin.readable.pipeTo(new WritableStream());
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

Deno.test("dial() tries each address of a name in turn: a node that is down is passed over", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  const tried: string[] = [];
  const conn = await dial("nodes.test", port, {
    resolve: (name) => {
      assertEquals(name, "nodes.test");
      // Nothing listens on 127.0.0.2 at this port: refused, then the next.
      return Promise.resolve(["127.0.0.2", "127.0.0.1"]);
    },
    connect: (options) => {
      tried.push(options.hostname!);
      return Deno.connect(options);
    },
  });
  const accepted = await listener.accept();
  conn.close();
  accepted.close();
  assertEquals(tried, ["127.0.0.2", "127.0.0.1"]);
});

Deno.test("dial() tells the last failure of a name's addresses under the name", async () => {
  const port = freePort();
  const error = await assertRejects(
    () =>
      dial("nodes.test", port, {
        resolve: () => Promise.resolve(["127.0.0.2", "127.0.0.1"]),
      }),
    DialError,
  );
  assertEquals((error as DialError).failure, "refused");
  assertEquals(error.message, EN.connectRefused(`nodes.test:${port}`));
});

Deno.test("dial() gives an address that never answers its share of the time-out, and the next the rest", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  const shares: string[] = [];
  const conn = await dial("nodes.test", port, {
    timeoutMs: 4000,
    resolve: () => Promise.resolve(["192.0.2.1", "127.0.0.1"]),
    connect: (options) => {
      shares.push(options.hostname!);
      // The first never answers (a black hole); dial() stops waiting.
      return options.hostname === "192.0.2.1"
        ? new Promise<Deno.TcpConn>(() => {})
        : Deno.connect(options);
    },
  });
  const accepted = await listener.accept();
  conn.close();
  accepted.close();
  assertEquals(shares, ["192.0.2.1", "127.0.0.1"]);
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

const NAMESPACES = canUseNamespaces();

/**
 * Two hosts in network namespaces, joined by a veth pair: the client's
 * (10.77.2.1) and a sink (10.77.2.2) whose answers to the client go into a
 * blackhole, so that the client's SYNs are never answered. The client's
 * routing table also has no route to 10.9.8.0/24, an `unreachable` route to
 * 10.66.0.0/24, and an IPv6 route to 2001:db8:66::/64 but no IPv6 address
 * to send from (its loopback is down, and its link has no link-local
 * address).
 */
interface Hosts {
  /** Prefix that runs a command on the client's host. */
  client: string[];
  /** Prefix that runs a command on the sink. */
  sink: string[];
  /** Lets the sink's answers through from now on. */
  answer(): void;
}

async function withHosts(fn: (hosts: Hosts) => Promise<void>): Promise<void> {
  const id = `${Deno.pid % 10000}${Math.floor(Math.random() * 1000)}`;
  const client = `chatdialc${id}`;
  const sink = `chatdials${id}`;
  ip("netns", "add", client);
  try {
    ip("netns", "add", sink);
    const [a, b] = [`dc${id}`, `ds${id}`];
    ip(
      "link",
      "add",
      a,
      "netns",
      client,
      "type",
      "veth",
      "peer",
      "name",
      b,
      "netns",
      sink,
    );
    ip("-n", client, "link", "set", a, "addrgenmode", "none");
    ip("-n", client, "link", "set", a, "up");
    ip("-n", sink, "link", "set", b, "up");
    ip("-n", sink, "link", "set", "lo", "up");
    ip("-n", client, "addr", "add", "10.77.2.1/24", "dev", a);
    ip("-n", sink, "addr", "add", "10.77.2.2/24", "dev", b);
    ip("-n", client, "route", "add", "unreachable", "10.66.0.0/24");
    ip("-n", client, "-6", "route", "add", "2001:db8:66::/64", "dev", a);
    ip("-n", sink, "route", "add", "blackhole", "10.77.2.1/32");
    await fn({
      client: ["ip", "netns", "exec", client],
      sink: ["ip", "netns", "exec", sink],
      answer: () => ip("-n", sink, "route", "del", "blackhole", "10.77.2.1/32"),
    });
  } finally {
    for (const ns of [client, sink]) {
      new Deno.Command("ip", { args: ["netns", "del", ns], stderr: "null" })
        .outputSync();
    }
  }
}

/** This file run as a program on another host, to dial from there. */
class DialFrom {
  /** How dial() ended. */
  readonly outcome: Promise<Outcome>;
  readonly #child: Deno.ChildProcess;
  readonly #lines: ReadableStreamDefaultReader<string>;

  constructor(
    prefix: string[],
    hostname: string,
    port: number,
    timeoutMs: number,
  ) {
    this.#child = new Deno.Command(prefix[0]!, {
      args: [
        ...prefix.slice(1),
        Deno.execPath(),
        "run",
        "-A",
        import.meta.filename!,
        hostname,
        String(port),
        String(timeoutMs),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#lines = this.#child.stdout.pipeThrough(new TextDecoderStream())
      .pipeThrough(new TextLineStream()).getReader();
    this.outcome = within(
      this.#lines.read().then(({ value }) => {
        if (value === undefined) throw new Error("the dial printed nothing");
        return JSON.parse(value) as Outcome;
      }),
      "the dial's outcome",
      60_000,
    );
  }

  /** Ends its input, waits for it to exit, and returns its exit code. */
  async exited(): Promise<number> {
    await this.outcome.catch(() => {});
    await this.#child.stdin.close().catch(() => {});
    await this.#lines.cancel();
    return (await within(this.#child.status, "the dial to exit")).code;
  }

  /** Kills the program if it still runs. */
  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.exited();
  }
}

Deno.test({
  name:
    "dial() says the host is unreachable for a network without a route, an unreachable route, and no address to send from",
  ignore: !NAMESPACES,
  async fn() {
    await withHosts(async (hosts) => {
      const cases: [string, string, string, string][] = [
        ["10.9.8.7", "10.9.8.7:50001", "NetworkUnreachable", "ENETUNREACH"],
        ["10.66.0.7", "10.66.0.7:50001", "Error", "EHOSTUNREACH"],
        [
          "2001:db8:66::7",
          "[2001:db8:66::7]:50001",
          "AddrNotAvailable",
          "EADDRNOTAVAIL",
        ],
      ];
      for (const [host, address, cause, code] of cases) {
        const run = new DialFrom(hosts.client, host, 50001, 10_000);
        try {
          assertEquals(await run.outcome, {
            failure: "unreachable",
            message: EN.connectUnreachable(address),
            cause,
            code,
          }, host);
          assertEquals(await run.exited(), 0);
        } finally {
          await run.stop();
        }
      }
    });
  },
});

Deno.test({
  name:
    "dial() times out on a host that never answers, and closes the connection that arrives too late",
  ignore: !NAMESPACES,
  async fn() {
    await withHosts(async (hosts) => {
      const { process: server, port } = await ChatProcess.server([], {
        prefix: hosts.sink,
        host: "0.0.0.0",
      });
      let run: DialFrom | undefined;
      try {
        run = new DialFrom(hosts.client, "10.77.2.2", port, 300);
        assertEquals(await run.outcome, {
          failure: "timed_out",
          message: EN.connectTimedOut(`10.77.2.2:${port}`, 0.3),
          cause: "",
          code: "",
        });
        // The system goes on trying; now the sink answers, the connection
        // is made, and dial() closes it at once (the program is still
        // running: it waits for its input to end).
        hosts.answer();
        const connect = await server.waitFor(/ connect 10\.77\.2\.1:\d+$/);
        const label = / connect (\S+)$/.exec(connect)![1]!;
        await server.waitFor(` disconnect ${label}`);
        assertEquals(await run.exited(), 0);
        assert(
          !server.stdout.some((l) => l.includes(`(${label})`)),
          "the late connection never joined",
        );
      } finally {
        await run?.stop();
        server.kill("SIGTERM");
        await server.status();
      }
    });
  },
});

Deno.test({
  name: "dial() reports the system's own time-out when it comes first",
  ignore: !NAMESPACES,
  async fn() {
    await withHosts(async (hosts) => {
      // One SYN retry: the client's system gives up after about 3 s, long
      // before dial()'s own 60 s.
      const set = new Deno.Command(hosts.client[0]!, {
        args: [
          ...hosts.client.slice(1),
          "sh",
          "-c",
          "echo 1 > /proc/sys/net/ipv4/tcp_syn_retries",
        ],
      }).outputSync();
      assert(set.success, "cannot set tcp_syn_retries");
      const run = new DialFrom(hosts.client, "10.77.2.2", 9, 60_000);
      try {
        const outcome = await run.outcome;
        assertEquals(
          [outcome.failure, outcome.cause, outcome.code],
          ["timed_out", "TimedOut", "ETIMEDOUT"],
        );
        // "... no answer within 3.1 s; ...": the time the system took.
        const [before, after] = EN.connectTimedOut("10.77.2.2:9", 1).split(
          " 1 s",
        );
        const message = outcome.message ?? "";
        assert(message.startsWith(before!), message);
        assert(message.endsWith(after!), message);
        assertMatch(message.slice(before!.length), /^ \d+(\.\d+)? s/);
        console.log(message);
        assertEquals(await run.exited(), 0);
      } finally {
        await run.stop();
      }
    });
  },
});
