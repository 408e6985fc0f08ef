import { assertEquals } from "@std/assert";
import { ChatProcess } from "../_helpers.ts";
import { have, Netcat } from "../_tools.ts";

const HAVE_NC = have("nc", "-h");

Deno.test({
  name: "a netcat user and a chat join user talk to each other",
  ignore: !HAVE_NC,
  async fn() {
    const { process: server, port } = await ChatProcess.server();
    const nc = new Netcat("127.0.0.1", port);
    let joiner: ChatProcess | undefined;
    try {
      await nc.send("nina");
      await nc.waitFor("Welcome, nina!");
      // Only now does ana start, so that nina is there to see her join.
      joiner = new ChatProcess(
        ["join", `127.0.0.1:${port}`, "--name", "ana"],
        { stdin: true },
      );
      await nc.waitFor("ana joined the chat!");
      await joiner.writeLine("hello nina, from chat join");
      await nc.waitFor("ana: hello nina, from chat join");
      await nc.send("hi ana, from netcat");
      await joiner.waitFor("nina: hi ana, from netcat");
      await nc.send("/msg ana just for you");
      await joiner.waitFor("just for you");
      await joiner.closeStdin();
      assertEquals(await joiner.status(), 0);
      await nc.waitFor("ana left the chat! (quit)");
      await nc.send("/quit");
      await nc.waitFor("Disconnected by the server: quit");
      assertEquals(await nc.end(), 0);
    } finally {
      await nc.stop();
      await joiner?.stop();
      server.kill("SIGTERM");
      await server.status();
    }
  },
});
