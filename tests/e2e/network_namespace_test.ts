// Two network namespaces joined by a veth pair stand in for two computers
// on a LAN: RF-10 (others can connect), peers that vanish without a word (a
// cable pulled: no FIN, no RST), and how soon `chat join` speaks after
// connecting across them (printed, for the plain prompt's delay).
import { assertEquals, assertMatch } from "@std/assert";
import { ChatProcess, eventually } from "../_helpers.ts";
import { Netcat } from "../_tools.ts";
import { describeTimes, type FirstLine } from "./_first_line.ts";
import { PROMPT_AFTER_MS } from "../../src/config.ts";
import { canUseNamespaces, ip, withTwoHosts } from "../_netns.ts";

const NAMESPACES = canUseNamespaces();

Deno.test({
  name:
    "a client in another network namespace joins over a non-loopback address (RF-10)",
  ignore: !NAMESPACES,
  async fn() {
    await withTwoHosts(async (hosts) => {
      const { process: server, port } = await ChatProcess.server([], {
        prefix: hosts.server,
        host: "0.0.0.0",
      });
      const nc = new Netcat("10.77.0.1", port, hosts.client);
      let joiner: ChatProcess | undefined;
      try {
        // `chat join` from a compiled chat, `deno task join` from source.
        await server.waitFor(
          new RegExp(
            `^join with: (chat|deno task) join 10\\.77\\.0\\.1:${port} --name <you>$`,
          ),
        );
        await nc.send("bia");
        await nc.waitFor("Welcome, bia!");
        await server.waitFor(/connect 10\.77\.0\.2:\d+/);
        // Only now does ana start, so that bia is there to see her join.
        joiner = new ChatProcess(
          ["join", `10.77.0.1:${port}`, "--name", "ana"],
          { stdin: true, prefix: hosts.client },
        );
        await nc.waitFor("ana joined the chat!");
        await joiner.writeLine("hello across the network");
        await nc.waitFor("ana: hello across the network");
        await nc.send("heard you");
        await joiner.waitFor("bia: heard you");
        await joiner.closeStdin();
        assertEquals(await joiner.status(), 0);
        await nc.waitFor("ana left the chat!");
      } finally {
        await nc.stop();
        await joiner?.stop();
        server.kill("SIGTERM");
        await server.status();
      }
    });
  },
});

Deno.test({
  name:
    "a netcat user whose cable is pulled is announced gone as timed out (the dead-peer timeout)",
  ignore: !NAMESPACES,
  async fn() {
    await withTwoHosts(async (hosts) => {
      // 4 s: keepalive probes after 2 s of silence, 1 s apart, 2 of them.
      const { process: server, port } = await ChatProcess.server(
        ["--dead-peer-timeout", "4"],
        { prefix: hosts.server, host: "0.0.0.0" },
      );
      const watcher = new Netcat("127.0.0.1", port, hosts.server);
      const bia = new Netcat("10.77.0.1", port, hosts.client);
      try {
        await watcher.send("ana");
        await watcher.waitFor("Welcome, ana!");
        await bia.send("bia");
        await bia.waitFor("Welcome, bia!");
        await watcher.waitFor("bia joined the chat!");
        hosts.unplugClient();
        const started = Date.now();
        // A hang guard, five times the 4 s timeout; the time is printed.
        await watcher.waitFor("bia left the chat! (timed out)", 20_000);
        const seconds = (Date.now() - started) / 1000;
        console.log(`announced gone after ${seconds.toFixed(1)} s`);
        await server.waitFor(/leave bia \(10\.77\.0\.2:\d+\): timeout/);
      } finally {
        await bia.stop();
        await watcher.stop();
        server.kill("SIGTERM");
        await server.status();
      }
    });
  },
});

Deno.test({
  name:
    "chat join in another network namespace sends its hello as soon as it connects (measured)",
  ignore: !NAMESPACES,
  async fn() {
    const runs = 5;
    await withTwoHosts(async (hosts) => {
      // The timestamping listener runs on the server's host.
      const [command, ...args] = [
        ...hosts.server,
        Deno.execPath(),
        "run",
        "--allow-net",
        new URL("./_first_line.ts", import.meta.url).pathname,
        "10.77.0.1",
        String(runs),
      ];
      const listener = new LineProcess(command!, args);
      try {
        const port = Number(await listener.line(0));
        const found: FirstLine[] = [];
        for (let i = 0; i < runs; i++) {
          const joiner = new ChatProcess(
            ["join", `10.77.0.1:${port}`, "--name", "ana"],
            { stdin: true, prefix: hosts.client },
          );
          try {
            found.push(JSON.parse(await listener.line(i + 1)));
          } finally {
            await joiner.stop();
          }
        }
        for (const { line } of found) {
          assertMatch(line, /^\{"type":"hello","version":2,"name":"ana"/);
        }
        console.log(
          `first line after connecting, chat join, piped, veth: ${
            describeTimes(found)
          }; the prompt waits ${PROMPT_AFTER_MS} ms`,
        );
      } finally {
        await listener.stop();
      }
    });
  },
});

/** A subprocess whose output lines are collected. */
class LineProcess {
  readonly lines: string[] = [];
  #child: Deno.ChildProcess;
  #pump: Promise<void>;

  constructor(command: string, args: string[]) {
    const child = new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#child = child;
    this.#pump = (async () => {
      const text = child.stdout.pipeThrough(new TextDecoderStream());
      let rest = "";
      for await (const chunk of text) {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop()!;
        this.lines.push(...parts);
      }
    })();
  }

  line(index: number): Promise<string> {
    return eventually(
      () => this.lines[index],
      `line ${index} of the listener; got:\n${this.lines.join("\n")}`,
    );
  }

  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.#child.status;
    await this.#pump;
  }
}

Deno.test({
  name:
    "chat join a name with several addresses goes on to the next when one is down (a cluster behind one name)",
  ignore: !NAMESPACES,
  async fn() {
    await withTwoHosts(async (hosts) => {
      // The server's host has a second address whose answers go nowhere
      // (a node that hangs, or a firewall that drops): a connection to it
      // is never refused, it just never opens.
      const serverNs = hosts.server[hosts.server.length - 1]!;
      ip(
        "-n",
        serverNs,
        "addr",
        "add",
        "10.77.0.3/24",
        "dev",
        hosts.serverDevice,
      );
      ip("-n", serverNs, "rule", "add", "from", "10.77.0.3", "table", "77");
      ip("-n", serverNs, "route", "add", "blackhole", "default", "table", "77");
      const { process: server, port } = await ChatProcess.server([], {
        prefix: hosts.server,
        host: "10.77.0.1",
      });
      // `ip netns exec` shows the client's host /etc/netns/<its name>/hosts
      // as /etc/hosts: "nodes.test" is the node that hangs, then the server
      // (same prefix, so the resolver keeps the file's order). The first
      // gets its share of the time-out, and the next the rest.
      const namespace = hosts.client[hosts.client.length - 1]!;
      const folder = `/etc/netns/${namespace}`;
      Deno.mkdirSync(folder, { recursive: true });
      const nc = new Netcat("10.77.0.1", port, hosts.client);
      let joiner: ChatProcess | undefined;
      try {
        await nc.send("bia");
        await nc.waitFor("Welcome, bia!");
        // Both orders in the file: whichever the resolver puts first, the
        // client gets through well inside its time-out.
        for (
          const order of [["10.77.0.3", "10.77.0.1"], [
            "10.77.0.1",
            "10.77.0.3",
          ]]
        ) {
          Deno.writeTextFileSync(
            `${folder}/hosts`,
            `127.0.0.1 localhost\n${
              order.map((a) => `${a} nodes.test\n`).join("")
            }`,
          );
          joiner = new ChatProcess(
            ["join", `nodes.test:${port}`, "--name", "ana", "--timeout", "6"],
            { stdin: true, prefix: hosts.client },
          );
          await nc.waitFor("ana joined the chat!");
          await joiner.writeLine(`found you by name, ${order[0]} first`);
          await nc.waitFor(`ana: found you by name, ${order[0]} first`);
          await joiner.closeStdin();
          assertEquals(await joiner.status(), 0);
          await nc.waitFor("ana left the chat!");
        }
      } finally {
        await nc.stop();
        await joiner?.stop();
        server.kill("SIGTERM");
        await server.status();
        Deno.removeSync(folder, { recursive: true });
      }
    });
  },
});
