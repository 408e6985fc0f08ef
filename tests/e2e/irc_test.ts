// IRC users on real sockets, in one room with native and plain (netcat)
// users: what each sees of the others, both ways; and the protections of
// the chat port kept for IRC (password, registration deadline, 417, flood
// limit, pings), the IRC-only port, --server-name, --motd and --show-ips;
// and the IRC ports under --require-tls and --irc-tls-port.

import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import {
  LineClient,
  nativeUser,
  plainUser,
  startTestServer,
  withServer,
} from "../_helpers.ts";

/** Registers an IRC user and waits for the end of its default room's NAMES. */
async function ircUser(
  port: number,
  nick: string,
  caps: string[] = [],
  tls = false,
): Promise<LineClient> {
  const client = tls
    ? await LineClient.connectTls(port)
    : await LineClient.connect(port);
  const req = caps.length > 0 ? `CAP REQ :${caps.join(" ")}\r\n` : "";
  await client.write(
    `CAP LS 302\r\nNICK ${nick}\r\nUSER ${nick} 0 * :${nick} here\r\n${req}CAP END\r\n`,
  );
  await client.expect(/ 366 \S+ #general /);
  return client;
}

Deno.test("IRC, native and plain users share #general, both ways", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await ircUser(port, "ana");
    const bob = await nativeUser(port, "bob");
    const cid = await plainUser(port, "cid");
    try {
      await ana.expect(/^:bob!native@\S+ JOIN #general$/);
      await ana.expect(/^:cid!plain@\S+ JOIN #general$/);

      await ana.send("PRIVMSG #general :hello from irc");
      await bob.expectMessage(
        "message",
        (m) => m.text === "hello from irc" && m.from === "ana",
      );
      await cid.expect("ana: hello from irc");

      await bob.sendMessage({ type: "input", text: "hi from native" });
      await ana.expect(/^:bob!native@\S+ PRIVMSG #general :hi from native$/);
      await cid.send("hi from netcat");
      await ana.expect(/^:cid!plain@\S+ PRIVMSG #general :hi from netcat$/);

      await ana.send("PRIVMSG #general :\x01ACTION waves\x01");
      await bob.expectMessage(
        "message",
        (m) => m.action === true && m.text === "waves",
      );
      await cid.expect("* ana waves");
      await bob.sendMessage({ type: "input", text: "/me nods" });
      await ana.expect("PRIVMSG #general :\x01ACTION nods\x01");

      await ana.send("PRIVMSG bob :psst");
      await bob.expectMessage(
        "private",
        (m) => m.from === "ana" && m.text === "psst",
      );
      await cid.send("/msg ana hey you");
      await ana.expect(/^:cid!plain@\S+ PRIVMSG ana :hey you$/);

      await ana.send("TOPIC #general :irc topic");
      await ana.expect(/^:ana!~ana@\S+ TOPIC #general :irc topic$/);
      await bob.expectMessage(
        "topic",
        (m) => m.text === "irc topic" && m.by === "ana",
      );
      await ana.send("TOPIC #general");
      await ana.expect(/ 332 ana #general :irc topic$/);
      await ana.expect(/ 333 ana #general ana :\d+$/);

      await cid.send("/nick cido");
      await ana.expect(/^:cid!plain@\S+ NICK cido$/);
      await ana.send("NICK anna");
      await ana.expect(/^:ana!~ana@\S+ NICK anna$/);
      await bob.expectMessage(
        "rename",
        (m) => m.from === "ana" && m.to === "anna",
      );

      await ana.send("JOIN #games");
      await ana.expect(/^:anna!~ana@\S+ JOIN #games$/);
      await ana.expect(/ 353 anna = #games :@anna$/);
      await bob.sendMessage({ type: "join", room: "#games" });
      await ana.expect(/^:bob!native@\S+ JOIN #games$/);
      await ana.send("MODE #games +o bob");
      await ana.expect(/^:anna!~ana@\S+ MODE #games \+o bob$/);
      await bob.expectMessage(
        "mode",
        (m) => m.change === "+o" && m.target === "bob",
      );
      await bob.sendMessage({
        type: "input",
        text: "/kick anna enough",
        room: "#games",
      });
      await ana.expect(/^:bob!native@\S+ KICK #games anna :enough$/);
      await ana.send("PRIVMSG #games :still here?");
      await ana.expect(/ 404 anna #games :/);

      await ana.send("PART #general :see you");
      await cid.expect("anna left #general");
      await ana.send("JOIN #general");
      await ana.expect(/^:anna!~ana@\S+ JOIN #general$/);
      await bob.sendMessage({
        type: "part",
        room: "#general",
        reason: "later",
      });
      await ana.expect(/^:bob!native@\S+ PART #general :later$/);
      await bob.sendMessage({ type: "join", room: "#general" });
      await ana.expect(/^:bob!native@\S+ JOIN #general$/);

      await cid.send("/quit gone fishing");
      await ana.expect(/^:cido!plain@\S+ QUIT :Quit: gone fishing$/);
      await ana.send("QUIT :bye all");
      await ana.expect(/^:\S+ ERROR :Closing Link: /);
      await ana.ended;
      await bob.expectMessage(
        "leave",
        (m) => m.name === "anna" && m.detail === "bye all",
      );
    } finally {
      await Promise.all([ana.close(), bob.close(), cid.close()]);
    }
  });
});

Deno.test("IRC capabilities: server-time tags, echo-message, away-notify and 301", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await ircUser(port, "ana", [
      "server-time",
      "echo-message",
      "away-notify",
    ]);
    const eve = await ircUser(port, "eve");
    try {
      await ana.send("PRIVMSG #general :echoed");
      await ana.expect(
        /^@time=\d{4}-\d\d-\d\dT[\d:.]+Z :ana!~ana@\S+ PRIVMSG #general :echoed$/,
      );
      await eve.expect(/^:ana!~ana@\S+ PRIVMSG #general :echoed$/);
      await eve.send("AWAY :lunch");
      await eve.expect(/ 306 eve :/);
      await ana.expect(/^@time=\S+ :eve!~eve@\S+ AWAY :lunch$/);
      await ana.send("PRIVMSG eve :there?");
      await ana.expect(/^@time=\S+ :ana!~ana@\S+ PRIVMSG eve :there\?$/);
      await ana.expect(/ 301 ana eve :lunch$/);
      await ana.send("WHO #general");
      await ana.expect(/ 352 ana #general ~eve \S+ \S+ eve G :0 eve here$/);
      await ana.send("WHOIS eve");
      await ana.expect(/ 311 ana eve ~eve \S+ \* :eve here$/);
      await ana.expect(/ 301 ana eve :lunch$/);
      await ana.expect(/ 318 ana eve :/);
      await eve.send("AWAY");
      await eve.expect(/ 305 eve :/);
      await ana.expect(/:eve!~eve@\S+ AWAY$/);
    } finally {
      await Promise.all([ana.close(), eve.close()]);
    }
  });
});

Deno.test("IRC registration: 433 for a taken nick, then another works; LUSERS and 422", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const bob = await nativeUser(port, "bob");
    const irc = await LineClient.connect(port);
    try {
      await irc.write("NICK Bob\r\nUSER x 0 * :X\r\n");
      await irc.expect(/^:\S+ 433 \* Bob :Nickname is already in use$/);
      await irc.send("NICK bobby");
      await irc.expect(/ 001 bobby :Welcome/);
      await irc.expect(/ 005 bobby .*CHANTYPES=#/);
      await irc.expect(/ 251 bobby :There are 2 users/);
      await irc.expect(/ 422 bobby :MOTD File is missing$/);
      await irc.expect(/ 366 bobby #general /);
    } finally {
      await Promise.all([irc.close(), bob.close()]);
    }
  });
});

Deno.test("IRC: a wrong PASS gets 464 and ERROR, and the connection ends", async () => {
  await withServer(async (server) => {
    const irc = await LineClient.connect(server.chat.addr.port);
    await irc.write("PASS nope\r\nNICK ana\r\nUSER ana 0 * :Ana\r\n");
    await irc.expect(/ 464 \* :Password incorrect$/);
    await irc.expect(/^:\S+ ERROR :/);
    await irc.ended;
    const ok = await LineClient.connect(server.chat.addr.port);
    await ok.write("PASS s3cret\r\nNICK ana\r\nUSER ana 0 * :Ana\r\n");
    await ok.expect(/ 001 ana /);
    await ok.close();
  }, { password: "s3cret" });
});

Deno.test("IRC: an unregistered connection that idles is dropped at the name deadline", async () => {
  await withServer(async (server) => {
    const irc = await LineClient.connect(server.chat.addr.port);
    await irc.send("NICK ana");
    await irc.expect(/^:\S+ ERROR :/);
    await irc.ended;
  }, { nameTimeoutMs: 300 });
});

Deno.test("IRC: a line over 512 bytes gets 417 and the connection goes on; a silent member is pinged", async () => {
  await withServer(async (server) => {
    const ana = await ircUser(server.chat.addr.port, "ana");
    try {
      await ana.send("PRIVMSG #general :" + "x".repeat(600));
      await ana.expect(/ 417 ana :/);
      await ana.send("PRIVMSG #general :" + "y".repeat(20_000));
      await ana.expect(/ 417 ana :/);
      await ana.send("PING still");
      await ana.expect(/ PONG \S+ :still$/);
      await ana.expect(/^:\S+ PING \d+$/);
    } finally {
      await ana.close();
    }
  }, { pingAfterMs: 300, deadAfterMs: 60_000 });
});

Deno.test("IRC members share the flood limit: a burst is refused with a notice", async () => {
  await withServer(async (server) => {
    const ana = await ircUser(server.chat.addr.port, "ana");
    try {
      let burst = "";
      for (let i = 0; i < 10; i++) burst += `PRIVMSG #general :line ${i}\r\n`;
      await ana.write(burst);
      await ana.expect(/^:\S+ NOTICE ana :/);
    } finally {
      await ana.close();
    }
  }, { rateLimit: { rate: 1, burst: 3 } });
});

Deno.test("--irc-port speaks IRC only; --server-name, --motd and --show-ips show", async () => {
  const motd = await Deno.makeTempFile();
  await Deno.writeTextFile(motd, "Be nice.\nThat is all.\n");
  try {
    await withServer(async (server) => {
      assert(server.irc !== null);
      const ana = await LineClient.connect(server.irc.addr.port);
      try {
        // The first line would be a plain name on the chat port.
        await ana.write("USER ana 0 * :Ana\r\nNICK ana\r\n");
        await ana.expect(
          /^:irc\.example 001 ana :Welcome to the irc\.example IRC Network ana!~ana@127\.0\.0\.1$/,
        );
        await ana.expect(/^:irc\.example 375 ana /);
        await ana.expect(/^:irc\.example 372 ana :- Be nice\.$/);
        await ana.expect(/^:irc\.example 372 ana :- That is all\.$/);
        await ana.expect(/^:irc\.example 376 ana /);
        await ana.send("MOTD");
        await ana.expect(/ 372 ana :- Be nice\.$/);
        await ana.send("VERSION");
        await ana.expect(/^:irc\.example 351 ana /);
      } finally {
        await ana.close();
      }
    }, {
      ircPort: 0,
      serverName: "irc.example",
      motdFile: motd,
      showIps: true,
    });
  } finally {
    await Deno.remove(motd);
  }
});

Deno.test("Hosts are cloaked without --show-ips: never the address itself", async () => {
  await withServer(async (server) => {
    const ana = await ircUser(server.chat.addr.port, "ana");
    try {
      const welcome = ana.lines.find((line) => / 001 /.test(line))!;
      assertMatch(
        welcome,
        /ana!~ana@[0-9a-f]{6}\.[0-9a-f]{6}\.[0-9a-f]{6}\.ip$/,
      );
      assert(!ana.lines.some((line) => line.includes("127.0.0.1")));
    } finally {
      await ana.close();
    }
  });
});

Deno.test("A missing --motd file stops the server from starting, with a clear error", async () => {
  await assertRejects(
    () => startTestServer({ motdFile: "/nonexistent/motd.txt" }),
    Error,
    "Cannot read the MOTD file /nonexistent/motd.txt: no such file",
  );
});

Deno.test("IRC formatting reaches IRC readers and is stripped for the others", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const ana = await ircUser(port, "ana");
    const eve = await ircUser(port, "eve");
    const bob = await nativeUser(port, "bob");
    const cid = await plainUser(port, "cid");
    try {
      await ana.send("PRIVMSG #general :\x02bold\x02 and \x0304red\x03");
      await eve.expect("PRIVMSG #general :\x02bold\x02 and \x0304red\x03");
      const got = await bob.expectMessage("message", (m) => m.from === "ana");
      assertEquals(got.text, "bold and red");
      await cid.expect("ana: bold and red");
    } finally {
      await Promise.all([ana.close(), eve.close(), bob.close(), cid.close()]);
    }
  });
});

Deno.test("draft/chathistory: CHATHISTORY LATEST, BEFORE, AFTER and AROUND page through a room's history in a batch", async () => {
  await withServer(async (server) => {
    const port = server.chat.addr.port;
    const bob = await nativeUser(port, "bob");
    try {
      for (const text of ["one", "two", "three"]) {
        await bob.sendMessage({ type: "input", text });
      }
      // Answered after the three lines: they are stored by then.
      await bob.sendMessage({ type: "who" });
      await bob.expectMessage("members");
      const caps = [
        "batch",
        "draft/chathistory",
        "server-time",
        "message-tags",
      ];
      const ana = await ircUser(port, "ana", caps);
      try {
        // Joining replays the recent lines in a batch too.
        await ana.expect(/^:\S+ BATCH \+h1 chathistory #general$/);
        await ana.expect(/;batch=h1 :bob!native@\S+ PRIVMSG #general :three$/);
        await ana.expect(/^:\S+ BATCH -h1$/);
        await ana.send("CHATHISTORY LATEST #general * 2");
        await ana.expect(/^:\S+ BATCH \+h2 chathistory #general$/);
        const two = await ana.expect(
          /msgid=(\d+);batch=h2 .* PRIVMSG #general :two$/,
        );
        await ana.expect(/batch=h2 .* PRIVMSG #general :three$/);
        await ana.expect(/^:\S+ BATCH -h2$/);
        const id = /msgid=(\d+)/.exec(two)![1];
        await ana.send(`CHATHISTORY BEFORE #general msgid=${id} 10`);
        await ana.expect(/^:\S+ BATCH \+h3 chathistory #general$/);
        const one = await ana.expect(/batch=h3 .* PRIVMSG #general :one$/);
        await ana.expect(/^:\S+ BATCH -h3$/);
        const first = /msgid=(\d+)/.exec(one)![1];
        await ana.send(`CHATHISTORY AFTER #general msgid=${first} 1`);
        await ana.expect(/^:\S+ BATCH \+h4 chathistory #general$/);
        await ana.expect(/batch=h4 .* PRIVMSG #general :two$/);
        await ana.expect(/^:\S+ BATCH -h4$/);
        await ana.send(`CHATHISTORY AROUND #general msgid=${id} 3`);
        await ana.expect(/^:\S+ BATCH \+h5 chathistory #general$/);
        await ana.expect(/batch=h5 .* PRIVMSG #general :one$/);
        await ana.expect(/batch=h5 .* PRIVMSG #general :two$/);
        await ana.expect(/batch=h5 .* PRIVMSG #general :three$/);
        await ana.expect(/^:\S+ BATCH -h5$/);
        await ana.send(`CHATHISTORY LATEST #general msgid=${id} 10`);
        await ana.expect(/^:\S+ BATCH \+h6 chathistory #general$/);
        await ana.expect(/batch=h6 .* PRIVMSG #general :three$/);
        await ana.expect(/^:\S+ BATCH -h6$/);
        await ana.send("CHATHISTORY LATEST #elsewhere * 5");
        await ana.expect(/ FAIL CHATHISTORY /);
      } finally {
        await ana.close();
      }
    } finally {
      await bob.close();
    }
  });
});

Deno.test("--require-tls holds on every IRC port: plain IRC gets one ERROR line, IRC over TLS joins on the chat port, --irc-port and --irc-tls-port", async () => {
  await withServer(async (server, logs) => {
    const irc = server.irc!.addr.port;
    const ircTls = server.ircTls!.addr.port;
    for (const port of [irc, ircTls]) {
      const plain = await LineClient.connect(port);
      await plain.write("NICK plainy\r\nUSER plainy 0 * :Plain\r\n");
      await plain.expect(
        new RegExp(
          `^ERROR :Closing Link: Port ${port} takes IRC over TLS only`,
        ),
      );
      await plain.ended;
      await plain.close();
    }
    const users = [];
    try {
      for (
        const [nick, port] of [
          ["chatport", server.chat.addr.port],
          ["ircport", irc],
          ["tlsport", ircTls],
        ] as const
      ) {
        users.push(await ircUser(port, nick, [], true));
      }
      await users[0]!.send("PRIVMSG #general :all encrypted");
      await users[2]!.expect(
        /^:chatport!~chatport@\S+ PRIVMSG #general :all encrypted$/,
      );
      assertEquals(
        logs.filter((line) => /: not TLS$/.test(line)).length,
        2,
      );
    } finally {
      for (const user of users) await user.close();
    }
  }, { requireTls: true, ircPort: 0, ircTlsPort: 0 });
});
