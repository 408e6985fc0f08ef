// The IRC codec without sockets: registration (CAP, PASS, NICK, USER),
// commands becoming hub commands, and hub messages becoming IRC lines and
// numerics, with a fake reader.

import { assert, assertEquals, assertMatch } from "@std/assert";
import fc from "fast-check";
import type {
  Decoded,
  Peer,
  Reader,
  ServerFacts,
} from "../../src/protocol/codec.ts";
import {
  IRC_CAPABILITIES,
  IRC_CODEC,
  type IrcState,
  isupportTokens,
} from "../../src/protocol/irc_codec.ts";
import { NATIVE_CODEC } from "../../src/protocol/native_codec.ts";
import { PLAIN_CODEC } from "../../src/protocol/plain_codec.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import { sniff } from "../../src/protocol/sniff.ts";
import { stripIrcFormatting } from "../../src/protocol/irc_format.ts";
import { parseIrcMessage } from "../../src/protocol/irc_message.ts";

const FACTS: ServerFacts = {
  name: "irc.test",
  network: "TestNet",
  version: "chat-9",
  started: 0,
  motd: null,
  maxLineBytes: 8192,
  maxRoomsPerUser: 20,
};

const PEERS: Record<string, Peer> = {
  ana: { user: "~ana", host: "a.ip", realname: "Ana" },
  bob: { user: "native", host: "b.ip", realname: "", away: "lunch" },
};

interface FakeReader extends Reader {
  name: string;
  joined: boolean;
}

function reader(overrides: Partial<FakeReader> = {}): FakeReader {
  return {
    name: "",
    lang: "en",
    joined: false,
    needsPassword: false,
    room: null,
    server: FACTS,
    peer: (name) => PEERS[name],
    ...overrides,
  };
}

function registered(caps: string[] = []): IrcState {
  const state = IRC_CODEC.open(reader({ name: "ana", joined: true }));
  for (const cap of caps) state.caps.add(cap);
  return state;
}

function replyText(decoded: Decoded): string {
  assert(decoded !== null && decoded.type === "reply", JSON.stringify(decoded));
  return decoded.text;
}

function lines(text: string): string[] {
  assert(text === "" || text.endsWith("\r\n"), JSON.stringify(text));
  return text.split("\r\n").slice(0, -1);
}

Deno.test("sniff() picks IRC for CAP, NICK, USER and PASS with a parameter, in any case", () => {
  for (
    const line of ["CAP LS 302", "NICK ana", "user ana 0 * :Ana", "Pass x"]
  ) {
    assertEquals(sniff(line).id, "irc", line);
  }
  for (const line of ["nick", "ana", "Nicky", "passage"]) {
    assertEquals(sniff(line).id, "plain", line);
  }
});

Deno.test("IRC registration: NICK and USER, in either order, become a hello and a LUSERS", () => {
  for (
    const order of [["NICK ana", "USER a 0 * :Ana S"], [
      "USER a 0 * :Ana S",
      "NICK ana",
    ]]
  ) {
    const state = IRC_CODEC.open(reader());
    assertEquals(IRC_CODEC.decode(order[0]!, state), null);
    assertEquals(IRC_CODEC.decode(order[1]!, state), {
      type: "many",
      items: [
        { type: "hello", name: "ana", user: "~a", realname: "Ana S" },
        { type: "command", command: { kind: "lusers" } },
      ],
    });
  }
});

Deno.test("IRC registration waits for CAP END while capabilities are negotiated", () => {
  const state = IRC_CODEC.open(reader());
  assertEquals(
    lines(replyText(IRC_CODEC.decode("CAP LS 302", state))),
    [
      `:irc.test CAP * LS :${
        IRC_CAPABILITIES.join(" ").replace("sasl", "sasl=PLAIN,EXTERNAL")
      }`,
    ],
  );
  assertEquals(IRC_CODEC.decode("NICK ana", state), null);
  assertEquals(IRC_CODEC.decode("USER ana 0 * :Ana", state), null);
  assertEquals(
    replyText(IRC_CODEC.decode("CAP REQ :server-time echo-message", state)),
    ":irc.test CAP * ACK :server-time echo-message\r\n",
  );
  assertEquals(
    replyText(IRC_CODEC.decode("CAP REQ :server-time frob", state)),
    ":irc.test CAP * NAK :server-time frob\r\n",
  );
  assertEquals(
    replyText(IRC_CODEC.decode("CAP LIST", state)),
    ":irc.test CAP * LIST :cap-notify echo-message server-time\r\n",
  );
  assertMatch(replyText(IRC_CODEC.decode("CAP FROB", state)), / 410 \* FROB :/);
  const done = IRC_CODEC.decode("CAP END", state);
  assert(done !== null && done.type === "many");
  assertEquals(done.items[0], {
    type: "hello",
    name: "ana",
    user: "~ana",
    realname: "Ana",
  });
  assert(IRC_CODEC.echoes!(state));
});

Deno.test("IRC CAP LS before 302 lists sasl without its mechanisms", () => {
  const state = IRC_CODEC.open(reader());
  const text = replyText(IRC_CODEC.decode("CAP LS", state));
  assert(text.includes(" sasl "), text);
});

function _plain(authzid: string, account: string, password: string): string {
  return btoa(`${authzid}\0${account}\0${password}`);
}

Deno.test("IRC SASL PLAIN decodes to a sasl intent; success logs in with 900 and 903", () => {
  const state = IRC_CODEC.open(reader());
  IRC_CODEC.decode("CAP LS 302", state);
  IRC_CODEC.decode("NICK guest", state);
  IRC_CODEC.decode("USER ana 0 * :Ana", state);
  IRC_CODEC.decode("CAP REQ :sasl", state);
  assertEquals(
    replyText(IRC_CODEC.decode("AUTHENTICATE PLAIN", state)),
    "AUTHENTICATE +\r\n",
  );
  assertEquals(
    IRC_CODEC.decode(`AUTHENTICATE ${_plain("", "ana", "pw pw")}`, state),
    { type: "sasl", mechanism: "PLAIN", account: "ana", password: "pw pw" },
  );
  const out = lines(
    IRC_CODEC.encode({ type: "sasl", ok: true, account: "ana" }, state),
  );
  assertEquals(out, [
    ":irc.test 900 * guest!~ana@* ana :You are now logged in as ana",
    ":irc.test 903 * :SASL authentication successful",
  ]);
  assertMatch(
    replyText(IRC_CODEC.decode("AUTHENTICATE PLAIN", state)),
    / 907 /,
  );
});

Deno.test("IRC SASL failures are all the same 904; unknown mechanisms get 908 first", () => {
  const state = IRC_CODEC.open(reader());
  assertEquals(
    lines(replyText(IRC_CODEC.decode("AUTHENTICATE SCRAM-SHA-256", state))),
    [
      ":irc.test 908 * PLAIN,EXTERNAL :are available SASL mechanisms",
      ":irc.test 904 * :SASL authentication failed",
    ],
  );
  IRC_CODEC.decode("AUTHENTICATE PLAIN", state);
  assertEquals(
    replyText(IRC_CODEC.decode("AUTHENTICATE !!!!", state)),
    ":irc.test 904 * :SASL authentication failed\r\n",
  );
  IRC_CODEC.decode("AUTHENTICATE PLAIN", state);
  // Acting as someone else (authzid other than authcid) is refused.
  assertEquals(
    replyText(
      IRC_CODEC.decode(`AUTHENTICATE ${_plain("bob", "ana", "x")}`, state),
    ),
    ":irc.test 904 * :SASL authentication failed\r\n",
  );
  IRC_CODEC.decode("AUTHENTICATE PLAIN", state);
  IRC_CODEC.decode(`AUTHENTICATE ${_plain("", "ana", "x")}`, state);
  assertEquals(
    IRC_CODEC.encode({ type: "sasl", ok: false }, state),
    ":irc.test 904 * :SASL authentication failed\r\n",
  );
  IRC_CODEC.decode("AUTHENTICATE PLAIN", state);
  assertEquals(
    replyText(IRC_CODEC.decode("AUTHENTICATE *", state)),
    ":irc.test 906 * :SASL authentication aborted\r\n",
  );
});

Deno.test("IRC SASL payloads come in 400-byte chunks; + ends one that fills the last; too long is 905", () => {
  const state = IRC_CODEC.open(reader());
  IRC_CODEC.decode("AUTHENTICATE PLAIN", state);
  // A payload of exactly 400 bytes of base64: 300 bytes.
  const password = "p".repeat(300 - "\0ana\0".length);
  const payload = _plain("", "ana", password);
  assertEquals(payload.length, 400);
  assertEquals(IRC_CODEC.decode(`AUTHENTICATE ${payload}`, state), null);
  assertEquals(IRC_CODEC.decode("AUTHENTICATE +", state), {
    type: "sasl",
    mechanism: "PLAIN",
    account: "ana",
    password,
  });
  const other = IRC_CODEC.open(reader());
  IRC_CODEC.decode("AUTHENTICATE PLAIN", other);
  for (let i = 0; i < 4; i++) {
    assertEquals(
      IRC_CODEC.decode(`AUTHENTICATE ${"A".repeat(400)}`, other),
      null,
    );
  }
  assertMatch(
    replyText(IRC_CODEC.decode(`AUTHENTICATE ${"A".repeat(400)}`, other)),
    / 905 \* :SASL message too long/,
  );
});

Deno.test("IRC SASL EXTERNAL names the nick when it names nobody", () => {
  const state = IRC_CODEC.open(reader());
  IRC_CODEC.decode("NICK ana", state);
  IRC_CODEC.decode("AUTHENTICATE EXTERNAL", state);
  assertEquals(IRC_CODEC.decode("AUTHENTICATE +", state), {
    type: "sasl",
    mechanism: "EXTERNAL",
    account: "ana",
  });
  const named = IRC_CODEC.open(reader());
  IRC_CODEC.decode("AUTHENTICATE EXTERNAL", named);
  assertEquals(IRC_CODEC.decode(`AUTHENTICATE ${btoa("bob")}`, named), {
    type: "sasl",
    mechanism: "EXTERNAL",
    account: "bob",
  });
});

Deno.test("IRC REGISTER claims the nick with a password, or alone for the client certificate", () => {
  const state = registered();
  assertEquals(IRC_CODEC.decode("REGISTER s3cret", state), {
    type: "command",
    command: { kind: "register", password: "s3cret" },
  });
  assertEquals(IRC_CODEC.decode("REGISTER", state), {
    type: "command",
    command: { kind: "register-cert" },
  });
  assertEquals(
    IRC_CODEC.encode({
      type: "name_error",
      name: "ana",
      code: "registered",
      text: "x",
    }, IRC_CODEC.open(reader())),
    ":irc.test 433 * ana :Nickname is registered to another key\r\n",
  );
});

Deno.test("IRC PASS goes with the hello", () => {
  const state = IRC_CODEC.open(reader());
  IRC_CODEC.decode("PASS s3cret", state);
  IRC_CODEC.decode("NICK ana", state);
  const done = IRC_CODEC.decode("USER ana 0 * :Ana", state);
  assert(done !== null && done.type === "many");
  assertEquals((done.items[0] as { password?: string }).password, "s3cret");
});

Deno.test("Before registration other commands get 451, PING a PONG", () => {
  const state = IRC_CODEC.open(reader());
  assertMatch(
    replyText(IRC_CODEC.decode("JOIN #general", state)),
    /^:irc\.test 451 \* :/,
  );
  assertMatch(replyText(IRC_CODEC.decode("FROB", state)), / 451 /);
  assertEquals(
    replyText(IRC_CODEC.decode("PING abc", state)),
    ":irc.test PONG irc.test :abc\r\n",
  );
});

Deno.test("Bad nicks get 431 and 432; dots and IRC's special characters are refused", () => {
  const state = IRC_CODEC.open(reader());
  assertMatch(
    replyText(IRC_CODEC.decode("NICK :", state)),
    / 431 \* :No nickname given/,
  );
  for (const nick of ["ana.b", "[ana]", "ana,b", "ana!x", "#ana"]) {
    assertMatch(
      replyText(IRC_CODEC.decode(`NICK ${nick}`, state)),
      / 432 /,
      nick,
    );
  }
});

Deno.test("A registered user's NICK to the same nick sends nothing; another case is a rename", () => {
  const state = registered();
  assertEquals(IRC_CODEC.decode("NICK ana", state), null);
  assertEquals(IRC_CODEC.decode("NICK Ana", state), {
    type: "command",
    command: { kind: "nick", name: "Ana" },
  });
});

Deno.test("Missing parameters get 461, unknown commands 421, long lines 417", () => {
  const state = registered();
  assertMatch(
    replyText(IRC_CODEC.decode("KICK #general", state)),
    / 461 ana KICK :/,
  );
  assertMatch(replyText(IRC_CODEC.decode("FROB x", state)), / 421 ana FROB :/);
  assertMatch(
    replyText(IRC_CODEC.decode("PRIVMSG #a :" + "x".repeat(500), state)),
    / 417 ana :/,
  );
  assertMatch(replyText(IRC_CODEC.decode("PRIVMSG bob", state)), / 412 /);
  assertMatch(replyText(IRC_CODEC.decode("PRIVMSG :", state)), / 411 /);
});

Deno.test("IRC commands become hub commands", () => {
  const state = registered();
  const decode = (line: string) => IRC_CODEC.decode(line, state);
  assertEquals(decode("PRIVMSG #general :hi there"), {
    type: "command",
    command: { kind: "say", text: "hi there" },
    room: "#general",
  });
  assertEquals(decode("PRIVMSG #general :\x01ACTION waves\x01"), {
    type: "command",
    command: { kind: "me", text: "waves" },
    room: "#general",
  });
  assertEquals(decode("PRIVMSG bob :psst"), {
    type: "command",
    command: { kind: "msg", to: "bob", text: "psst" },
  });
  assertEquals(decode("JOIN #a,#b k1"), {
    type: "many",
    items: [
      { type: "command", command: { kind: "join", room: "#a", key: "k1" } },
      { type: "command", command: { kind: "join", room: "#b" } },
    ],
  });
  assertEquals(decode("PART #a :bye"), {
    type: "command",
    command: { kind: "part", room: "#a", reason: "bye" },
  });
  assertEquals(decode("TOPIC #a :new topic"), {
    type: "command",
    command: { kind: "topic", room: "#a", text: "new topic" },
  });
  assertEquals(decode("KICK #a bob :out"), {
    type: "command",
    command: { kind: "kick", room: "#a", name: "bob", reason: "out" },
  });
  assertEquals(decode("MODE #a +o-t bob"), {
    type: "many",
    items: [
      { type: "command", command: { kind: "op", room: "#a", name: "bob" } },
      {
        type: "command",
        command: { kind: "topic-lock", room: "#a", on: false },
      },
    ],
  });
  assertEquals(decode("MODE #a +b bob!*@*"), {
    type: "command",
    command: { kind: "ban", room: "#a", name: "bob" },
  });
  assertEquals(decode("MODE #a +b"), {
    type: "command",
    command: { kind: "bans", room: "#a" },
  });
  assertEquals(decode("MODE #a +k sesame"), {
    type: "command",
    command: { kind: "key", room: "#a", key: "sesame" },
  });
  assertEquals(decode("AWAY :lunch"), {
    type: "command",
    command: { kind: "away", text: "lunch" },
  });
  assertEquals(decode("WHOIS bob"), {
    type: "command",
    command: { kind: "whois", name: "bob" },
  });
  assertEquals(decode("QUIT :gone"), { type: "quit", reason: "gone" });
  assertEquals(decode("PONG irc.test"), null);
});

Deno.test("A bare CR ends a line too", () => {
  const state = registered();
  assertEquals(IRC_CODEC.decode("PING a\rPING b", state), {
    type: "many",
    items: [
      { type: "reply", text: ":irc.test PONG irc.test :a\r\n" },
      { type: "reply", text: ":irc.test PONG irc.test :b\r\n" },
    ],
  });
});

Deno.test("CTCP VERSION and PING are answered by the server, from the one asked", () => {
  const state = registered();
  assertEquals(
    replyText(IRC_CODEC.decode("PRIVMSG bob :\x01PING 123\x01", state)),
    ":bob!native@b.ip NOTICE ana :\x01PING 123\x01\r\n",
  );
  assertMatch(
    replyText(IRC_CODEC.decode("PRIVMSG bob :\x01VERSION\x01", state)),
    // deno-lint-ignore no-control-regex
    /^:bob!native@b\.ip NOTICE ana :\x01VERSION chat-9 .*\x01\r\n$/,
  );
  assertMatch(
    replyText(IRC_CODEC.decode("PRIVMSG nobody :\x01VERSION\x01", state)),
    / 401 ana nobody /,
  );
});

Deno.test("ISUPPORT tells what the server is", () => {
  const tokens = isupportTokens(FACTS);
  for (
    const token of [
      "CASEMAPPING=rfc8265",
      "UTF8MAPPING=rfc8265",
      "CHANTYPES=#",
      "PREFIX=(ov)@+",
      "CHANMODES=b,k,,nt",
      "NICKLEN=24",
      "CHANNELLEN=33",
      "TOPICLEN=300",
      "NETWORK=TestNet",
      "MODES=3",
    ]
  ) assert(tokens.includes(token), token);
  assert(tokens.some((token) => token.startsWith("TARGMAX=")));
});

const WELCOME: ServerMessage = {
  type: "welcome",
  name: "ana",
  server: "chat",
  version: 2,
  room: "#general",
  members: ["bob", "ana"],
  ops: ["bob"],
  topic: { text: "hi all", by: "bob", time: 1000 },
  history: [],
};

Deno.test("The welcome is 001-005, then LUSERS, the MOTD (or 422), and the default room", () => {
  const state = registered();
  const welcome = lines(IRC_CODEC.encode(WELCOME, state));
  assertEquals(welcome.map((line) => line.split(" ")[1]), [
    "001",
    "002",
    "003",
    "004",
    "005",
    "005",
  ]);
  assertMatch(
    welcome[0]!,
    /^:irc\.test 001 ana :Welcome to the TestNet IRC Network ana!~ana@a\.ip$/,
  );
  const rest = lines(
    IRC_CODEC.encode({ type: "lusers", users: 2, rooms: 1, opers: 0 }, state),
  );
  assertEquals(rest.map((line) => line.split(" ")[1]), [
    "251",
    "254",
    "255",
    "422",
    "JOIN",
    "332",
    "333",
    "353",
    "366",
  ]);
  assertEquals(rest[4], ":ana!~ana@a.ip JOIN #general");
  assertEquals(rest[7], ":irc.test 353 ana = #general :@bob ana");
  // A later LUSERS is only LUSERS.
  assertEquals(
    lines(
      IRC_CODEC.encode({ type: "lusers", users: 2, rooms: 1, opers: 1 }, state),
    ).length,
    4,
  );
});

Deno.test("The MOTD is 375, 372 per line, 376", () => {
  const state = IRC_CODEC.open(
    reader({
      name: "ana",
      joined: true,
      server: { ...FACTS, motd: ["one", "two"] },
    }),
  );
  assertEquals(lines(replyText(IRC_CODEC.decode("MOTD", state))), [
    ":irc.test 375 ana :- irc.test Message of the day - ",
    ":irc.test 372 ana :- one",
    ":irc.test 372 ana :- two",
    ":irc.test 376 ana :End of /MOTD command.",
  ]);
});

Deno.test("Name errors are 433 and 432 with the nick asked for", () => {
  const state = IRC_CODEC.open(reader());
  IRC_CODEC.decode("NICK bob", state);
  assertEquals(
    IRC_CODEC.encode({
      type: "name_error",
      name: "bob",
      code: "taken",
      text: "",
    }, state),
    ":irc.test 433 * bob :Nickname is already in use\r\n",
  );
  assertMatch(
    IRC_CODEC.encode({
      type: "name_error",
      name: "bob",
      code: "reserved",
      text: "",
    }, state),
    / 432 \* bob /,
  );
});

Deno.test("Members are written nick!user@host, with the time under server-time", () => {
  const message: ServerMessage = {
    type: "message",
    room: "#general",
    from: "bob",
    text: "hello",
    time: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
  };
  assertEquals(
    IRC_CODEC.encode(message, registered()),
    ":bob!native@b.ip PRIVMSG #general :hello\r\n",
  );
  assertEquals(
    IRC_CODEC.encode(message, registered(["server-time"])),
    "@time=2024-01-02T03:04:05.006Z :bob!native@b.ip PRIVMSG #general :hello\r\n",
  );
  assertEquals(
    IRC_CODEC.encode({ ...message, text: "waves", action: true }, registered()),
    ":bob!native@b.ip PRIVMSG #general :\x01ACTION waves\x01\r\n",
  );
});

Deno.test("Readers with the same capabilities share a broadcast's encoding", () => {
  const message: ServerMessage = {
    type: "join",
    room: "#a",
    name: "bob",
    time: 0,
  };
  assertEquals(
    IRC_CODEC.variant(message, registered()),
    IRC_CODEC.variant(message, registered(["echo-message"])),
  );
  assert(
    IRC_CODEC.variant(message, registered()) !==
      IRC_CODEC.variant(message, registered(["server-time"])),
  );
  assertEquals(IRC_CODEC.variant(WELCOME, registered()), null);
});

Deno.test("A long message from a native user is split into lines of at most 512 bytes", () => {
  const text = "é".repeat(3000);
  const out = lines(
    IRC_CODEC.encode({
      type: "message",
      room: "#general",
      from: "bob",
      text,
      time: 0,
    }, registered()),
  );
  assert(out.length > 1);
  let joined = "";
  for (const line of out) {
    assert(new TextEncoder().encode(line).length + 2 <= 512, line);
    joined += parseIrcMessage(line).params[1];
  }
  assertEquals(joined, text);
});

Deno.test("Private messages: the echo needs echo-message", () => {
  const message: ServerMessage = {
    type: "private",
    from: "ana",
    to: "bob",
    text: "psst",
    time: 0,
  };
  assertEquals(IRC_CODEC.encode(message, registered()), "");
  assertEquals(
    IRC_CODEC.encode(message, registered(["echo-message"])),
    ":ana!~ana@a.ip PRIVMSG bob :psst\r\n",
  );
});

Deno.test("Hub errors become the numerics of the command that caused them", () => {
  const state = registered();
  const error = (code: string, target: string): ServerMessage => ({
    type: "error",
    code,
    text: "x",
    target,
  });
  IRC_CODEC.decode("PRIVMSG #games :hi", state);
  assertMatch(
    IRC_CODEC.encode(error("not_in_room", "#games"), state),
    / 404 ana #games :/,
  );
  IRC_CODEC.decode("TOPIC #games :x", state);
  assertMatch(
    IRC_CODEC.encode(error("not_in_room", "#games"), state),
    / 442 ana #games :/,
  );
  assertMatch(
    IRC_CODEC.encode(error("not_op", "#games"), state),
    / 482 ana #games :/,
  );
  IRC_CODEC.decode("JOIN #games", state);
  assertMatch(IRC_CODEC.encode(error("banned", "#games"), state), / 474 /);
  assertMatch(IRC_CODEC.encode(error("key_needed", "#games"), state), / 475 /);
  assertMatch(
    IRC_CODEC.encode(error("no_such_room", "#nope"), state),
    / 403 ana #nope /,
  );
  IRC_CODEC.decode("KICK #games cid", state);
  assertMatch(
    IRC_CODEC.encode(error("not_member", "#games"), state),
    / 441 ana cid #games :/,
  );
  IRC_CODEC.decode("PRIVMSG nobody :hi", state);
  assertMatch(
    IRC_CODEC.encode(error("unknown_user", "nobody"), state),
    / 401 ana nobody :/,
  );
  // A NOTICE is never answered with an error.
  IRC_CODEC.decode("NOTICE nobody :hi", state);
  assertEquals(IRC_CODEC.encode(error("unknown_user", "nobody"), state), "");
});

Deno.test("AWAY: 306 and 305 to the member, 301 to who messages it, AWAY to others with away-notify", () => {
  const state = registered(["away-notify"]);
  assertMatch(
    IRC_CODEC.encode({ type: "away", name: "ana", text: "x", time: 0 }, state),
    / 306 /,
  );
  assertMatch(
    IRC_CODEC.encode({ type: "away", name: "ana", time: 0 }, state),
    / 305 /,
  );
  assertEquals(
    IRC_CODEC.encode({
      type: "away",
      name: "bob",
      text: "lunch",
      time: 0,
      toSender: true,
    }, state),
    ":irc.test 301 ana bob :lunch\r\n",
  );
  assertEquals(
    IRC_CODEC.encode(
      { type: "away", name: "bob", text: "lunch", time: 0 },
      state,
    ),
    ":bob!native@b.ip AWAY :lunch\r\n",
  );
  assertEquals(
    IRC_CODEC.encode({ type: "away", name: "bob", time: 0 }, registered()),
    "",
  );
});

Deno.test("JOIN 0 parts every channel the reader is in, and MODE tells a channel's modes", () => {
  const state = registered();
  IRC_CODEC.observe!({
    type: "joined",
    room: "#a",
    members: ["ana"],
    ops: ["ana"],
    history: [],
    key: true,
  }, state);
  IRC_CODEC.observe!({
    type: "joined",
    room: "#b",
    members: ["ana"],
    ops: [],
    history: [],
  }, state);
  IRC_CODEC.observe!({
    type: "mode",
    room: "#b",
    by: "bob",
    change: "+t",
    time: 0,
  }, state);
  assertEquals(
    replyText(IRC_CODEC.decode("MODE #a", state)),
    ":irc.test 324 ana #a :+nk\r\n",
  );
  assertEquals(
    replyText(IRC_CODEC.decode("MODE #b", state)),
    ":irc.test 324 ana #b :+nt\r\n",
  );
  assertEquals(IRC_CODEC.decode("JOIN 0", state), {
    type: "many",
    items: [
      { type: "command", command: { kind: "part", room: "#a" } },
      { type: "command", command: { kind: "part", room: "#b" } },
    ],
  });
});

Deno.test("WHO and WHOIS: 352/315 with H or G and @, 311/319/312/318", () => {
  const state = registered();
  IRC_CODEC.decode("WHO #general", state);
  assertEquals(
    lines(
      IRC_CODEC.encode({
        type: "members",
        room: "#general",
        names: ["ana", "bob"],
        ops: ["bob"],
      }, state),
    ),
    [
      ":irc.test 352 ana #general ~ana a.ip irc.test ana H :0 Ana",
      ":irc.test 352 ana #general native b.ip irc.test bob G@ :0 bob",
      ":irc.test 315 ana #general :End of WHO list",
    ],
  );
  IRC_CODEC.decode("NAMES #general", state);
  assertEquals(
    lines(
      IRC_CODEC.encode({
        type: "members",
        room: "#general",
        names: ["ana", "bob"],
        ops: ["bob"],
      }, state),
    )[0],
    ":irc.test 353 ana = #general :ana @bob",
  );
  const whois = lines(IRC_CODEC.encode({
    type: "whois",
    name: "bob",
    user: "native",
    host: "b.ip",
    realname: "",
    rooms: ["#general", "#a"],
    ops: ["#a"],
    away: "lunch",
  }, state));
  assertEquals(whois.map((line) => line.split(" ")[1]), [
    "311",
    "319",
    "312",
    "301",
    "318",
  ]);
  assertEquals(whois[1], ":irc.test 319 ana bob :#general @#a");
});

Deno.test("IRC formatting is kept for IRC readers and stripped for native and plain readers", () => {
  const message: ServerMessage = {
    type: "message",
    room: "#general",
    from: "ana",
    text: "\x02bold\x02 \x0304,12red\x03 \x1ditalic\x1d",
    time: 0,
  };
  assertMatch(
    IRC_CODEC.encode(message, registered()),
    // deno-lint-ignore no-control-regex
    /\x02bold\x02 \x0304,12red\x03/,
  );
  assertEquals(
    JSON.parse(NATIVE_CODEC.encode(message, null)).text,
    "bold red italic",
  );
  const plain = PLAIN_CODEC.encode(
    message,
    reader({ name: "cid", joined: true, room: "#general" }),
  );
  assertMatch(plain, /ana: bold red italic\n$/);
  assertEquals(stripIrcFormatting("\x0399,99x\x04ff00ff,00ff00y\x0f"), "xy");
});

Deno.test("bye becomes ERROR; a refused password 464 first", () => {
  const state = registered();
  assertEquals(
    IRC_CODEC.encode({ type: "bye", reason: "quit", text: "bye" }, state),
    ":irc.test ERROR :Closing Link: bye\r\n",
  );
  assertMatch(
    IRC_CODEC.encode(
      { type: "bye", reason: "password", text: "no" },
      IRC_CODEC.open(reader()),
    ),
    /^:irc\.test 464 \* :Password incorrect\r\n:irc\.test ERROR :/,
  );
});

Deno.test("IRC_CODEC.decode() never throws and every reply is CRLF lines, whatever the line (20,000 lines)", () => {
  const words = fc.constantFrom(
    "CAP",
    "LS",
    "REQ",
    "END",
    "NICK",
    "USER",
    "PASS",
    "JOIN",
    "PART",
    "PRIVMSG",
    "NOTICE",
    "MODE",
    "KICK",
    "TOPIC",
    "WHO",
    "WHOIS",
    "AWAY",
    "PING",
    "#a",
    "0",
    ":",
    ":x y",
    "+o-b+k",
    "\x01ACTION",
    "\x01VERSION\x01",
    ",",
    "@a=b",
    "\r",
    "bob",
  );
  const line = fc.oneof(
    fc.array(words, { maxLength: 8 }).map((parts) => parts.join(" ")),
    fc.string({ maxLength: 80, unit: "binary" }),
  );
  const check = (decoded: Decoded): void => {
    if (decoded === null) return;
    if (decoded.type === "reply") {
      assert(decoded.text.endsWith("\r\n"), decoded.text);
      assert(!/[^\r]\n/.test(decoded.text), decoded.text);
    } else if (decoded.type === "many") decoded.items.forEach(check);
  };
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.array(line, { maxLength: 4 }),
      (joined, sent) => {
        const state = IRC_CODEC.open(
          reader(joined ? { name: "ana", joined } : {}),
        );
        for (const text of sent) check(IRC_CODEC.decode(text, state));
      },
    ),
    { numRuns: 20_000 },
  );
});

Deno.test("A room's recent lines follow its NAMES: at their times with server-time, as a replay of NOTICEs without it", () => {
  const joined: ServerMessage = {
    type: "joined",
    room: "#a",
    members: ["ana"],
    ops: [],
    history: [
      { from: "bob", text: "earlier", time: Date.UTC(2024, 0, 1) },
      {
        from: "bob",
        text: "waved",
        time: Date.UTC(2024, 0, 1, 0, 1),
        action: true,
      },
    ],
  };
  assertEquals(
    lines(IRC_CODEC.encode(joined, registered(["server-time"]))).slice(-2),
    [
      "@time=2024-01-01T00:00:00.000Z :bob!native@b.ip PRIVMSG #a :earlier",
      "@time=2024-01-01T00:01:00.000Z :bob!native@b.ip PRIVMSG #a :\x01ACTION waved\x01",
    ],
  );
  assertEquals(lines(IRC_CODEC.encode(joined, registered())).slice(-4), [
    ":irc.test NOTICE #a :Replay of the last 2 lines of #a (times in UTC):",
    ":irc.test NOTICE #a :[2024-01-01 00:00] <bob> earlier",
    ":irc.test NOTICE #a :[2024-01-01 00:01] * bob waved",
    ":irc.test NOTICE #a :End of replay.",
  ]);
  assertEquals(
    lines(IRC_CODEC.encode({ ...joined, history: [] }, registered())).at(-1),
    ":irc.test 366 ana #a :End of /NAMES list",
  );
});

Deno.test("CHATHISTORY LATEST, BEFORE, AFTER and AROUND ask the hub for a page; the rest get FAIL", () => {
  const state = registered(["draft/chathistory", "batch"]);
  assertEquals(IRC_CODEC.decode("CHATHISTORY LATEST #a * 20", state), {
    type: "command",
    command: { kind: "history", room: "#a", limit: 20 },
  });
  assertEquals(IRC_CODEC.decode("CHATHISTORY BEFORE #a msgid=42 5", state), {
    type: "command",
    command: { kind: "history", room: "#a", limit: 5, before: 42 },
  });
  assertEquals(IRC_CODEC.decode("CHATHISTORY AFTER #a msgid=1 5", state), {
    type: "command",
    command: { kind: "history", room: "#a", limit: 5, after: 1 },
  });
  assertEquals(IRC_CODEC.decode("chathistory around #a msgid=7 9", state), {
    type: "command",
    command: { kind: "history", room: "#a", limit: 9, around: 7 },
  });
  assertEquals(IRC_CODEC.decode("CHATHISTORY LATEST #a msgid=3 10", state), {
    type: "command",
    command: { kind: "history", room: "#a", limit: 10, newerThan: 3 },
  });
  for (
    const line of [
      "CHATHISTORY BETWEEN #a msgid=1 msgid=5 5",
      "CHATHISTORY TARGETS * * 5",
      "CHATHISTORY AFTER #a * 5",
      "CHATHISTORY BEFORE #a timestamp=2024-01-01T00:00:00.000Z 5",
      "CHATHISTORY LATEST #a * 500",
      "CHATHISTORY LATEST bob * 5",
      "CHATHISTORY",
    ]
  ) {
    assertMatch(
      replyText(IRC_CODEC.decode(line, state)),
      /^:irc\.test FAIL CHATHISTORY (INVALID_PARAMS|INVALID_TARGET) /,
      line,
    );
  }
  IRC_CODEC.decode("CHATHISTORY LATEST #nope * 5", state);
  assertMatch(
    IRC_CODEC.encode({
      type: "error",
      code: "not_in_room",
      text: "x",
      target: "#nope",
    }, state),
    /^:irc\.test FAIL CHATHISTORY INVALID_TARGET #nope :x\r\n$/,
  );
});

Deno.test("A history page is a chathistory batch of PRIVMSGs with their times and msgids", () => {
  const history: ServerMessage = {
    type: "history",
    room: "#a",
    more: false,
    lines: [
      { from: "bob", text: "one", time: Date.UTC(2024, 0, 1), id: 7 },
      { from: "bob", text: "two", time: Date.UTC(2024, 0, 2), id: 9 },
    ],
  };
  assertEquals(
    lines(
      IRC_CODEC.encode(
        history,
        registered([
          "batch",
          "server-time",
          "message-tags",
          "draft/chathistory",
        ]),
      ),
    ),
    [
      ":irc.test BATCH +h1 chathistory #a",
      "@time=2024-01-01T00:00:00.000Z;msgid=7;batch=h1 :bob!native@b.ip PRIVMSG #a :one",
      "@time=2024-01-02T00:00:00.000Z;msgid=9;batch=h1 :bob!native@b.ip PRIVMSG #a :two",
      ":irc.test BATCH -h1",
    ],
  );
  assertEquals(lines(IRC_CODEC.encode(history, registered())), [
    ":bob!native@b.ip PRIVMSG #a :one",
    ":bob!native@b.ip PRIVMSG #a :two",
  ]);
});

Deno.test("Live messages carry their msgid with message-tags", () => {
  const message: ServerMessage = {
    type: "message",
    room: "#a",
    from: "bob",
    text: "hi",
    time: 0,
    id: 12,
  };
  assertEquals(
    IRC_CODEC.encode(message, registered(["message-tags"])),
    "@msgid=12 :bob!native@b.ip PRIVMSG #a :hi\r\n",
  );
  assert(
    IRC_CODEC.variant(message, registered(["message-tags"])) !==
      IRC_CODEC.variant(message, registered()),
  );
});

Deno.test("Voice: MODE +v and -v become /voice and /devoice; NAMES and WHO show + (multi-prefix: @+)", () => {
  const state = registered();
  assertEquals(IRC_CODEC.decode("MODE #general +v-v bob ana", state), {
    type: "many",
    items: [
      {
        type: "command",
        command: { kind: "voice", room: "#general", name: "bob" },
      },
      {
        type: "command",
        command: { kind: "devoice", room: "#general", name: "ana" },
      },
    ],
  });
  const members: ServerMessage = {
    type: "members",
    room: "#general",
    names: ["ana", "bob", "cid"],
    ops: ["bob"],
    voiced: ["ana", "bob"],
  };
  IRC_CODEC.decode("NAMES #general", state);
  assertEquals(
    lines(IRC_CODEC.encode(members, state))[0],
    ":irc.test 353 ana = #general :+ana @bob cid",
  );
  const multi = registered(["multi-prefix"]);
  IRC_CODEC.decode("NAMES #general", multi);
  assertEquals(
    lines(IRC_CODEC.encode(members, multi))[0],
    ":irc.test 353 ana = #general :+ana @+bob cid",
  );
  IRC_CODEC.decode("WHO #general", multi);
  assertEquals(
    lines(IRC_CODEC.encode(members, multi)).slice(0, 3).map((line) =>
      line.split(" ")[8]
    ),
    ["H+", "G@+", "H"],
  );
  const mode: ServerMessage = {
    type: "mode",
    room: "#general",
    by: "bob",
    change: "+v",
    target: "ana",
    time: 0,
  };
  assertEquals(
    IRC_CODEC.encode(mode, state),
    ":bob!native@b.ip MODE #general +v ana\r\n",
  );
  const rejoin = lines(IRC_CODEC.encode({
    type: "join",
    room: "#general",
    name: "bob",
    time: 0,
    voice: true,
  }, state));
  assertEquals(rejoin[1], ":irc.test MODE #general +v bob");
  const whois = lines(IRC_CODEC.encode({
    type: "whois",
    name: "bob",
    user: "native",
    host: "b.ip",
    realname: "",
    rooms: ["#general", "#a"],
    ops: ["#a"],
    voiced: ["#general"],
  }, state));
  assertEquals(whois[1], ":irc.test 319 ana bob :+#general @#a");
});

Deno.test("CTCP to another IRC user goes to it (a NOTICE answer goes back); a private ACTION is a private action both ways", () => {
  const peers: Record<string, Peer> = {
    ...PEERS,
    irc: { user: "~irc", host: "i.ip", realname: "" },
  };
  const state = IRC_CODEC.open(
    reader({ name: "ana", joined: true, peer: (name) => peers[name] }),
  );
  assertEquals(IRC_CODEC.decode("PRIVMSG irc :\x01VERSION\x01", state), {
    type: "command",
    command: { kind: "msg", to: "irc", text: "VERSION", ctcp: "query" },
  });
  assertEquals(
    IRC_CODEC.decode("NOTICE irc :\x01PING 42\x01", state),
    {
      type: "command",
      command: { kind: "msg", to: "irc", text: "PING 42", ctcp: "reply" },
    },
  );
  // bob is no IRC user: the server answers for him.
  assertEquals(
    replyText(IRC_CODEC.decode("PRIVMSG bob :\x01PING 7\x01", state)),
    ":bob!native@b.ip NOTICE ana :\x01PING 7\x01\r\n",
  );
  assertEquals(IRC_CODEC.decode("PRIVMSG bob :\x01ACTION waves\x01", state), {
    type: "command",
    command: { kind: "msg", to: "bob", text: "waves", action: true },
  });
  const base = { type: "private", from: "irc", to: "ana", time: 0 } as const;
  assertEquals(
    IRC_CODEC.encode({ ...base, text: "VERSION x 1", ctcp: "reply" }, state),
    ":irc!~irc@i.ip NOTICE ana :\x01VERSION x 1\x01\r\n",
  );
  assertEquals(
    IRC_CODEC.encode({ ...base, text: "TIME", ctcp: "query" }, state),
    ":irc!~irc@i.ip PRIVMSG ana :\x01TIME\x01\r\n",
  );
  assertEquals(
    IRC_CODEC.encode({ ...base, text: "nods", action: true }, state),
    ":irc!~irc@i.ip PRIVMSG ana :\x01ACTION nods\x01\r\n",
  );
  const plain = PLAIN_CODEC.open(reader({ name: "bob", joined: true }));
  assertEquals(
    PLAIN_CODEC.encode({ ...base, text: "TIME", ctcp: "query" }, plain),
    "",
  );
  assertMatch(
    PLAIN_CODEC.encode({ ...base, text: "nods", action: true }, plain),
    /\[irc -> ana\] \* irc nods\n$/,
  );
  const native = NATIVE_CODEC.open(reader({ name: "bob", joined: true }));
  assertEquals(
    NATIVE_CODEC.encode({ ...base, text: "TIME", ctcp: "query" }, native),
    "",
  );
});
