// IRC users proving a claimed name: SASL PLAIN with the password a netcat
// user set with /register, and CertFP (a TLS client certificate, made here
// with openssl) with SASL EXTERNAL and REGISTER. A real `chat serve`, the
// irc-framework library (npm), netcat and openssl; tests whose tool is
// missing are ignored, never passed.

import { assert, assertEquals, assertMatch } from "@std/assert";
import { Client } from "irc-framework";
import { ChatProcess, eventually, LineClient } from "../_helpers.ts";
import { have, Netcat } from "../_tools.ts";
import { TmuxWindow } from "../_tmux.ts";

const HAVE_NC = have("nc", "-h");
const HAVE_IRSSI = have("irssi", "--version") && have("tmux", "-V");
const HAVE_OPENSSL = have("openssl", "version");

interface Seen {
  type: string;
  [key: string]: unknown;
}

/** An irc-framework client that records its events, with waits for them. */
function watchedClient() {
  const seen: Seen[] = [];
  const client = new Client({ auto_reconnect: false, ping_interval: 0 });
  const closed = new Promise<void>((resolve) =>
    client.on("close", () => resolve())
  );
  for (
    const type of [
      "registered",
      "loggedin",
      "sasl failed",
      "nick in use",
      "notice",
      "privmsg",
      "join",
    ]
  ) {
    client.on(
      type,
      (event: Record<string, unknown>) => seen.push({ type, ...event }),
    );
  }
  const find = (what: string, test: (event: Seen) => boolean) =>
    eventually(
      () => seen.find(test),
      `${what}; irc-framework saw ${JSON.stringify(seen)}`,
    );
  return { client, closed, find, seen };
}

/** Runs `body` with an irc-framework client, always closed after. */
async function withClient(
  body: (watched: ReturnType<typeof watchedClient>) => Promise<void>,
): Promise<void> {
  const watched = watchedClient();
  try {
    await body(watched);
  } finally {
    watched.client.quit();
    await watched.closed;
  }
}

async function serve(): Promise<{ server: ChatProcess; port: number }> {
  const { process: server, port } = await ChatProcess.server([
    "--no-web",
    "--no-announce",
    "--server-name",
    "irc.test",
  ]);
  return { server, port };
}

async function stop(server: ChatProcess): Promise<void> {
  server.kill("SIGTERM");
  await server.status();
}

/** A netcat user takes `name`, claims it with /register, and leaves. */
async function registerByNetcat(
  port: number,
  name: string,
  password: string,
  room?: string,
): Promise<void> {
  const nc = new Netcat("127.0.0.1", port);
  try {
    await nc.send(name);
    await nc.waitFor(`Welcome, ${name}!`);
    await nc.send(`/register ${password}`);
    await nc.waitFor("is registered to you");
    if (room !== undefined) {
      await nc.send(`/join ${room}`);
      await nc.waitFor(`You joined ${room}.`);
    }
    await nc.send("/quit");
    // Its end comes after the server closed it: the name is free again.
    await nc.end();
  } finally {
    await nc.stop();
  }
}

Deno.test({
  name:
    "irc-framework logs in with SASL PLAIN as a name a netcat user registered, and a wrong password gets 904",
  ignore: !HAVE_NC,
  async fn() {
    const { server, port } = await serve();
    try {
      await registerByNetcat(port, "nina", "correct horse", "#games");
      // Stays in #games while nina is away, so the room (and what was said
      // in it) is there when nina comes back.
      const talker = new Netcat("127.0.0.1", port);
      try {
        await talker.send("talker");
        await talker.waitFor("Welcome, talker!");
        await talker.send("/join #games");
        await talker.waitFor("You joined #games.");
        await talker.send("said while nina was away");
        // Lines are handled in order: once /help is answered, the line
        // before it is in the history.
        await talker.send("/help");
        await talker.waitFor("leave the chat");
        await withClient(async ({ client, find }) => {
          client.connect({
            host: "127.0.0.1",
            port,
            nick: "guest",
            username: "nina",
            gecos: "Nina",
            account: { account: "nina", password: "correct horse" },
          });
          const loggedin = await find("900", (e) => e.type === "loggedin");
          assertEquals(loggedin.account, "nina");
          // Registered under the claimed name, not the nick it asked for.
          const registered = await find("001", (e) => e.type === "registered");
          assertEquals(registered.nick, "nina");
          // Coming back under the claimed name: back in its room, and shown
          // what was said there since it left.
          await find(
            "its JOIN of #games",
            (e) =>
              e.type === "join" && e.nick === "nina" && e.channel === "#games",
          );
          await find(
            "the catch-up",
            (e) =>
              e.type === "privmsg" && e.nick === "talker" &&
              e.message === "said while nina was away",
          );
        });
      } finally {
        await talker.stop();
      }
      await withClient(async ({ client, find, seen }) => {
        client.connect({
          host: "127.0.0.1",
          port,
          nick: "other",
          username: "other",
          gecos: "Other",
          account: { account: "nina", password: "wrong horse" },
        });
        const failed = await find("904", (e) => e.type === "sasl failed");
        assertEquals(failed.reason, "fail");
        // The registration goes on, under the nick asked for.
        const registered = await find("001", (e) => e.type === "registered");
        assertEquals(registered.nick, "other");
        assertEquals(seen.filter((e) => e.type === "loggedin"), []);
      });
      // A name nobody registered fails the same way.
      await withClient(async ({ client, find }) => {
        client.connect({
          host: "127.0.0.1",
          port,
          nick: "third",
          username: "third",
          gecos: "Third",
          account: { account: "nobody", password: "wrong horse" },
        });
        await find("904", (e) => e.type === "sasl failed");
        await find("001", (e) => e.type === "registered");
      });
      // Without SASL, the claimed name is refused with 433.
      const raw = await LineClient.connect(port);
      try {
        await raw.write("NICK nina\r\nUSER nina 0 * :Nina\r\n");
        assertEquals(
          await raw.expect(/ 433 /),
          ":irc.test 433 * nina :Nickname is registered to another key",
        );
      } finally {
        await raw.close();
      }
      // REGISTER alone needs a client certificate; with a password it
      // claims the nick, which SASL then proves.
      const plain = await LineClient.connect(port);
      try {
        await plain.write("NICK plainy\r\nUSER plainy 0 * :P\r\n");
        await plain.expect(/ 001 plainy /);
        await plain.write("REGISTER\r\n");
        assertMatch(
          await plain.expect(/NOTICE plainy :No client certificate/),
          /REGISTER <password>/,
        );
        await plain.write("REGISTER :more horses\r\n");
        await plain.expect(/NOTICE plainy :The name "plainy" is registered/);
        // Gone from the hub before the name is asked for again.
        await plain.write("QUIT\r\n");
        await plain.ended;
      } finally {
        await plain.close();
      }
      await withClient(async ({ client, find }) => {
        client.connect({
          host: "127.0.0.1",
          port,
          nick: "plainy2",
          username: "p",
          gecos: "P",
          account: { account: "plainy", password: "more horses" },
        });
        const registered = await find("001", (e) => e.type === "registered");
        assertEquals(registered.nick, "plainy");
      });
      // No password reaches the log.
      for (const line of [...server.stdout, ...server.stderr]) {
        assert(!line.includes("horse"), line);
      }
    } finally {
      await stop(server);
    }
  },
});

/** A self-signed client certificate and its key, in PEM, made by openssl. */
async function clientCertificate(
  name: string,
): Promise<{ certificate: string; private_key: string }> {
  const dir = await Deno.makeTempDir({ prefix: "chat-certfp-" });
  try {
    const { success, stderr } = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "1",
        "-subj",
        `/CN=${name}`,
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert(success, new TextDecoder().decode(stderr));
    return {
      certificate: await Deno.readTextFile(`${dir}/cert.pem`),
      private_key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "An IRC client certificate claims a name with REGISTER, logs in by SASL EXTERNAL, and another certificate is refused it",
  ignore: !HAVE_OPENSSL,
  async fn() {
    const { server, port } = await serve();
    const mine = await clientCertificate("certy");
    const theirs = await clientCertificate("thief");
    const tls = (
      nick: string,
      certificate: { certificate: string; private_key: string },
      extra: Record<string, unknown> = {},
    ) => ({
      host: "127.0.0.1",
      port,
      tls: true,
      rejectUnauthorized: false,
      nick,
      username: nick,
      gecos: nick,
      client_certificate: certificate,
      ...extra,
    });
    try {
      await withClient(async ({ client, find }) => {
        client.connect(tls("certy", mine));
        await find("001", (e) => e.type === "registered");
        client.raw("REGISTER");
        await find(
          "the claim's notice",
          (e) =>
            e.type === "notice" &&
            String(e.message).includes("registered to your client certificate"),
        );
      });
      await withClient(async ({ client, find }) => {
        client.connect(
          tls("somebody", mine, { sasl_mechanism: "EXTERNAL" }),
        );
        // EXTERNAL names the nick; asked for another, it fails: the nick
        // given is not the claim.
        await find("904", (e) => e.type === "sasl failed");
        await find("001", (e) => e.type === "registered");
      });
      await withClient(async ({ client, find }) => {
        client.connect(tls("certy", mine, { sasl_mechanism: "EXTERNAL" }));
        const loggedin = await find("900", (e) => e.type === "loggedin");
        assertEquals(loggedin.account, "certy");
        const registered = await find("001", (e) => e.type === "registered");
        assertEquals(registered.nick, "certy");
      });
      await withClient(async ({ client, find }) => {
        client.connect(tls("certy", theirs, { sasl_mechanism: "EXTERNAL" }));
        await find("904", (e) => e.type === "sasl failed");
        const refused = await find(
          "433",
          (e) => e.type === "nick in use",
        );
        assertMatch(String(refused.reason), /registered to another key/);
      });
      // Without SASL the certificate still proves the name (CertFP).
      await withClient(async ({ client, find }) => {
        client.connect(tls("certy", mine));
        const registered = await find("001", (e) => e.type === "registered");
        assertEquals(registered.nick, "certy");
      });
    } finally {
      await stop(server);
    }
  },
});

Deno.test({
  name:
    "irssi logs in with SASL PLAIN (/network add -sasl_mechanism plain) as a name a netcat user registered",
  ignore: !HAVE_NC || !HAVE_IRSSI,
  async fn() {
    const { server, port } = await serve();
    const home = await Deno.makeTempDir({ prefix: "chat_irssi_sasl_" });
    const irssi = new TmuxWindow();
    const watcher = new Netcat("127.0.0.1", port);
    const command = async (line: string) => {
      await irssi.type(line);
      await irssi.press("Enter");
    };
    try {
      await registerByNetcat(port, "nina", "horse-battery");
      await watcher.send("watcher");
      await watcher.waitFor("Welcome, watcher!");
      await Deno.writeTextFile(
        `${home}/config`,
        'settings = { core = { real_name = "Irssi User"; user_name = "irs"; nick = "guest"; }; "fe-common/core" = { theme = "default"; }; };\n',
      );
      await irssi.start(
        `TERM=screen irssi --home='${home}' -n guest`,
        { width: 160, height: 40 },
      );
      await irssi.waitForScreen(
        "irssi to start",
        (rows) => rows.some((row) => row.includes("Irssi v")) || undefined,
      );
      await command(
        "/network add -sasl_mechanism plain -sasl_username nina -sasl_password horse-battery chatnet",
      );
      await command(`/server add -network chatnet 127.0.0.1 ${port}`);
      await command("/connect chatnet");
      // Registered under the claimed name, not the nick irssi asked for.
      await watcher.waitFor("nina joined the chat!");
      await command("/quit bye");
      await watcher.waitFor("nina left the chat!");
    } finally {
      await irssi.stop();
      await watcher.stop();
      await Deno.remove(home, { recursive: true });
      await stop(server);
    }
  },
});

Deno.test({
  name:
    "A client that sends CAP END right behind its SASL payload registers once SASL has ended, with its LUSERS, MOTD and room",
  ignore: !HAVE_NC,
  async fn() {
    const { server, port } = await serve();
    try {
      await registerByNetcat(port, "nina", "pw");
      const client = await LineClient.connect(port);
      try {
        await client.write(
          "CAP LS 302\r\nNICK guest\r\nUSER nina 0 * :N\r\nCAP REQ :sasl\r\nAUTHENTICATE PLAIN\r\n",
        );
        await client.expect("AUTHENTICATE +");
        // No wait for 903: the registration is pipelined behind it.
        await client.write(`AUTHENTICATE ${btoa("\0nina\0pw")}\r\nCAP END\r\n`);
        await client.expect(/ 903 \* :SASL authentication successful$/);
        await client.expect(/ 001 nina /);
        await client.expect(/ 251 nina /);
        await client.expect(/ 422 nina /);
        await client.expect(/ 366 nina #general /);
      } finally {
        await client.close();
      }
    } finally {
      await stop(server);
    }
  },
});
