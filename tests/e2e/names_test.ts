// Checks, against the real program over raw sockets, that a name written in
// look-alike letters cannot join next to the member it imitates (issue 9,
// bug 5), and that it can once that member has left.

import { assertEquals } from "@std/assert";
import { ChatProcess, LineClient, plainUser } from "../_helpers.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";

// Cyrillic р, о, е: drawn as Latin p, o, e.
const CYRILLIC_POE = "\u0440\u043e\u0435";

Deno.test("a plain user cannot take the Cyrillic look-alike of a member's name, and can once the member has left", async () => {
  const { process: server, port } = await ChatProcess.server();
  const clients: LineClient[] = [];
  try {
    const poe = await plainUser(port, "poe");
    clients.push(poe);
    const impostor = await LineClient.connect(port);
    clients.push(impostor);
    await impostor.send(CYRILLIC_POE);
    await impostor.expect(STRINGS.en.nameError("taken", CYRILLIC_POE));
    // Small capitals read as the same letters: taken too.
    await impostor.send("\u1d18\u1d0f\u1d07");
    await impostor.expect(STRINGS.en.nameError("taken", "\u1d18\u1d0f\u1d07"));
    await poe.send("/quit");
    await poe.expect(STRINGS.en.bye("quit"));
    await impostor.send(CYRILLIC_POE);
    await impostor.expect(`Welcome, ${CYRILLIC_POE}!`);
    assertEquals(
      impostor.lines.filter((line) => line.includes("Welcome,")).length,
      1,
    );
  } finally {
    for (const client of clients) await client.close();
    server.kill("SIGTERM");
    await server.status();
  }
});
