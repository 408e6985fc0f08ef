// Two network namespaces joined by a veth pair stand in for two computers
// on a LAN: RF-10 (others can connect), and peers that vanish without a
// word (a cable pulled: no FIN, no RST).
import { assertEquals } from "@std/assert";
import { ChatProcess } from "../_helpers.ts";
import { Netcat } from "../_tools.ts";
import { canUseNamespaces, withTwoHosts } from "../_netns.ts";

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
      const joiner = new ChatProcess(
        ["join", `10.77.0.1:${port}`, "--name", "ana"],
        { stdin: true, prefix: hosts.client },
      );
      try {
        await server.waitFor(
          `join with: chat join 10.77.0.1:${port} --name <you>`,
        );
        await nc.send("bia");
        await nc.waitFor("Welcome, bia!");
        await server.waitFor(/connect 10\.77\.0\.2:\d+/);
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
        await joiner.stop();
        server.kill("SIGTERM");
        await server.status();
      }
    });
  },
});

Deno.test({
  name:
    "a netcat user whose cable is pulled is announced gone within the dead-peer timeout",
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
