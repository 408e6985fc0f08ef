// RF-10: computers other than the server's can connect. Two network
// namespaces joined by a veth pair stand in for two computers on a LAN.
import { assertEquals } from "@std/assert";
import { ChatProcess } from "./_helpers.ts";
import { have, Netcat } from "./_tools.ts";

function canUseNamespaces(): boolean {
  if (Deno.build.os !== "linux" || !have("ip", "-V") || !have("nc", "-h")) {
    return false;
  }
  const probe = `chatprobe${Deno.pid}`;
  const add = new Deno.Command("ip", {
    args: ["netns", "add", probe],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  if (!add.success) return false;
  new Deno.Command("ip", { args: ["netns", "del", probe] }).outputSync();
  return true;
}

function ip(...args: string[]): void {
  const result = new Deno.Command("ip", { args, stderr: "piped" }).outputSync();
  if (!result.success) {
    throw new Error(
      `Cannot run ip ${args.join(" ")}: ${
        new TextDecoder().decode(result.stderr)
      }`,
    );
  }
}

Deno.test({
  name:
    "a client in another network namespace joins over a non-loopback address (RF-10)",
  ignore: !canUseNamespaces(),
  async fn() {
    const id = `${Deno.pid % 10000}${Math.floor(Math.random() * 1000)}`;
    const server = `chatsrv${id}`;
    const client = `chatcli${id}`;
    ip("netns", "add", server);
    ip("netns", "add", client);
    let serverProcess: ChatProcess | undefined;
    let joiner: ChatProcess | undefined;
    let nc: Netcat | undefined;
    try {
      ip("link", "add", `vs${id}`, "type", "veth", "peer", "name", `vc${id}`);
      ip("link", "set", `vs${id}`, "netns", server);
      ip("link", "set", `vc${id}`, "netns", client);
      ip("-n", server, "addr", "add", "10.77.0.1/24", "dev", `vs${id}`);
      ip("-n", client, "addr", "add", "10.77.0.2/24", "dev", `vc${id}`);
      for (const [ns, dev] of [[server, `vs${id}`], [client, `vc${id}`]]) {
        ip("-n", ns!, "link", "set", dev!, "up");
        ip("-n", ns!, "link", "set", "lo", "up");
      }
      const started = await ChatProcess.server([], {
        prefix: ["ip", "netns", "exec", server],
        host: "0.0.0.0",
      });
      serverProcess = started.process;
      const port = started.port;
      await serverProcess.waitFor(
        `join with: chat join 10.77.0.1:${port} --name <you>`,
      );

      nc = new Netcat("10.77.0.1", port, ["ip", "netns", "exec", client]);
      await nc.send("bia");
      await nc.waitFor("Welcome, bia!");
      joiner = new ChatProcess(
        ["join", `10.77.0.1:${port}`, "--name", "ana"],
        { stdin: true, prefix: ["ip", "netns", "exec", client] },
      );
      await serverProcess.waitFor(/connect 10\.77\.0\.2:\d+/);
      await nc.waitFor("ana joined the chat!");
      await joiner.writeLine("hello across the network");
      await nc.waitFor("ana: hello across the network");
      await nc.send("heard you");
      await joiner.waitFor("bia: heard you");
      await joiner.closeStdin();
      assertEquals(await joiner.status(), 0);
      await nc.waitFor("ana left the chat!");
    } finally {
      await nc?.stop();
      await joiner?.stop();
      serverProcess?.kill("SIGTERM");
      await serverProcess?.status();
      new Deno.Command("ip", { args: ["netns", "del", server], stderr: "null" })
        .outputSync();
      new Deno.Command("ip", { args: ["netns", "del", client], stderr: "null" })
        .outputSync();
    }
  },
});
