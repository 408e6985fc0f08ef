import { assert, assertEquals } from "@std/assert";
import {
  type ClientEffect,
  ClientState,
  type ClientStateOptions,
  LEAVE_TIMEOUT_MS,
} from "../../src/client/client_state.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import { CLIENT_STRINGS } from "../../src/i18n/client_strings.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";

const ADDRESS = "10.0.0.2:50001";

function state(options: Partial<ClientStateOptions> = {}): ClientState {
  return new ClientState({
    name: "ana",
    address: ADDRESS,
    now: () => 0,
    formatTime: () => "12:00",
    timeoutMs: 5000,
    ...options,
  });
}

function line(message: ServerMessage): string {
  return JSON.stringify(message);
}

const WELCOME: ServerMessage = {
  type: "welcome",
  name: "ana",
  members: ["bob", "ana"],
  history: [],
  server: "chat",
  version: 1,
};

function joined(options: Partial<ClientStateOptions> = {}): ClientState {
  const client = state(options);
  client.start();
  client.onServerLine(line(WELCOME));
  assertEquals(client.phase, "chat");
  return client;
}

function sent(effects: ClientEffect[]): unknown[] {
  return effects.flatMap((e) => e.kind === "send" ? [e.message] : []);
}

function printed(effects: ClientEffect[]): string[] {
  return effects.flatMap((e) => e.kind === "print" ? [e.text] : []);
}

function exit(effects: ClientEffect[]): ClientEffect | undefined {
  return effects.find((e) => e.kind === "exit");
}

Deno.test("ClientState sends hello with the name and language, then waits", () => {
  const client = state({ lang: "pt" });
  assertEquals(client.start(), [
    {
      kind: "send",
      message: { type: "hello", version: 1, name: "ana", lang: "pt" },
    },
    { kind: "deadline", ms: 5000 },
  ]);
  assertEquals(client.phase, "hello");
});

Deno.test("ClientState shows the welcome, learns the members, sets the prompt", () => {
  const client = state();
  client.start();
  const effects = client.onServerLine(line(WELCOME));
  assertEquals(effects, [
    { kind: "deadline", ms: null },
    {
      kind: "print",
      text:
        "[12:00] -- Welcome, ana! Online (2): bob, ana. Type /help for commands.",
      alert: false,
    },
    { kind: "prompt", text: "ana> " },
  ]);
  assertEquals(client.members, ["bob", "ana"]);
  assertEquals(client.me, "ana");
});

Deno.test("ClientState gives up when the server does not answer hello in time", () => {
  const client = state();
  client.start();
  assertEquals(exit(client.onDeadline()), {
    kind: "exit",
    code: 1,
    error: CLIENT_STRINGS.en.noAnswer(ADDRESS, 5),
  });
  assertEquals(client.phase, "done");
});

Deno.test("ClientState refuses a peer that does not speak the protocol", () => {
  const client = state();
  client.start();
  assertEquals(exit(client.onServerLine("SSH-2.0-OpenSSH_9.6")), {
    kind: "exit",
    code: 1,
    error: CLIENT_STRINGS.en.notChatServer(ADDRESS),
  });
});

Deno.test("ClientState skips lines of unknown types", () => {
  const client = joined();
  assertEquals(client.onServerLine('{"type":"future_thing","x":1}'), []);
  assertEquals(client.onServerLine("not json"), []);
  assertEquals(client.phase, "chat");
});

Deno.test("ClientState without a terminal ends on a refused name", () => {
  const client = state();
  client.start();
  const text = STRINGS.en.nameError("taken", "ana");
  const effects = client.onServerLine(
    line({ type: "name_error", name: "ana", code: "taken", text }),
  );
  assertEquals(exit(effects), { kind: "exit", code: 1, error: text });
});

Deno.test("ClientState at a terminal asks for another name and sends a new hello", () => {
  const client = state({ interactive: true });
  client.start();
  const text = STRINGS.en.nameError("taken", "ana");
  const effects = client.onServerLine(
    line({ type: "name_error", name: "ana", code: "taken", text }),
  );
  assertEquals(printed(effects), [`[12:00] ! ${text}`]);
  assert(
    effects.some((e) => e.kind === "prompt" && e.text === client.namePrompt),
  );
  assertEquals(client.phase, "naming");

  // Checked locally first: nothing is sent for an invalid name.
  const invalid = client.onInput("a b");
  assertEquals(sent(invalid), []);
  assertEquals(printed(invalid), [
    `[12:00] ! ${STRINGS.en.nameError("invalid_chars", "a b")}`,
  ]);

  assertEquals(sent(client.onInput(" Ana2 ")), [
    { type: "hello", version: 1, name: "Ana2", lang: "en" },
  ]);
  assertEquals(client.phase, "hello");
  client.onServerLine(line({ ...WELCOME, name: "Ana2" }));
  assertEquals(client.me, "Ana2");
  assertEquals(client.chatPrompt, "Ana2> ");
});

Deno.test("ClientState sends a typed line and shows it locally at a terminal", () => {
  const client = joined({ interactive: true });
  const effects = client.onInput("hello all ");
  assertEquals(sent(effects), [{ type: "input", text: "hello all " }]);
  assertEquals(printed(effects), ["[12:00] ana: hello all"]);
});

Deno.test("ClientState without a terminal sends lines without showing them", () => {
  const client = joined();
  const effects = client.onInput("build finished");
  assertEquals(sent(effects), [{ type: "input", text: "build finished" }]);
  assertEquals(printed(effects), []);
});

Deno.test("ClientState shows //text as /text and /me as an action", () => {
  const client = joined({ interactive: true });
  const slash = client.onInput("//etc/hosts is the file");
  assertEquals(sent(slash), [{
    type: "input",
    text: "//etc/hosts is the file",
  }]);
  assertEquals(printed(slash), ["[12:00] ana: /etc/hosts is the file"]);
  const action = client.onInput("/me waves");
  assertEquals(sent(action), [{ type: "input", text: "/me waves" }]);
  assertEquals(printed(action), ["[12:00] * ana waves"]);
});

Deno.test("ClientState sends commands for the server and shows nothing itself", () => {
  const client = joined({ interactive: true });
  for (const command of ["/who", "/help", "/msg bob hi", "/nick anna", "/x"]) {
    const effects = client.onInput(command);
    assertEquals(sent(effects), [{ type: "input", text: command }], command);
    assertEquals(printed(effects), [], command);
  }
});

Deno.test("ClientState ignores empty lines", () => {
  const client = joined({ interactive: true });
  assertEquals(client.onInput(""), []);
  assertEquals(client.onInput("   "), []);
});

Deno.test("ClientState sends lines typed before the welcome once joined", () => {
  const client = state();
  client.start();
  assertEquals(client.onInput("early"), []);
  const effects = client.onServerLine(line(WELCOME));
  assertEquals(sent(effects), [{ type: "input", text: "early" }]);
});

Deno.test("ClientState sends all piped lines before leaving when input ends early", () => {
  const client = state();
  client.start();
  client.onInput("one");
  client.onInput("two");
  assertEquals(client.onEnd(), []);
  const effects = client.onServerLine(line(WELCOME));
  assertEquals(sent(effects), [
    { type: "input", text: "one" },
    { type: "input", text: "two" },
    { type: "quit" },
  ]);
  assertEquals(client.phase, "leaving");
});

Deno.test("ClientState leaves on /quit and exits 0 on the server's bye", () => {
  const client = joined({ interactive: true });
  const effects = client.onInput("/SAIR");
  assertEquals(effects, [
    { kind: "send", message: { type: "input", text: "/SAIR" } },
    { kind: "deadline", ms: LEAVE_TIMEOUT_MS },
  ]);
  assertEquals(client.phase, "leaving");
  const bye = client.onServerLine(
    line({ type: "bye", reason: "quit", text: STRINGS.en.bye("quit") }),
  );
  assertEquals(exit(bye), { kind: "exit", code: 0 });
  assertEquals(printed(bye), []);
});

Deno.test("ClientState leaves on end of input and on Ctrl-C", () => {
  for (const leave of ["onEnd", "onInterrupt"] as const) {
    const client = joined();
    assertEquals(client[leave](), [
      { kind: "send", message: { type: "quit" } },
      { kind: "deadline", ms: LEAVE_TIMEOUT_MS },
    ]);
    // The server closes without a bye: still a clean leave.
    assertEquals(exit(client.onClosed()), { kind: "exit", code: 0 });
  }
});

Deno.test("ClientState exits 0 when the server is slow to confirm a leave", () => {
  const client = joined();
  client.onEnd();
  assertEquals(exit(client.onDeadline()), { kind: "exit", code: 0 });
});

Deno.test("ClientState exits at once on a second Ctrl-C", () => {
  const client = joined();
  client.onInterrupt();
  assertEquals(exit(client.onInterrupt()), { kind: "exit", code: 0 });
});

Deno.test("ClientState reports a lost connection with exit code 1", () => {
  const client = joined();
  assertEquals(exit(client.onClosed()), {
    kind: "exit",
    code: 1,
    error: CLIENT_STRINGS.en.connectionLost(ADDRESS),
  });
  assertEquals(client.onClosed(), [], "only once");
});

Deno.test("ClientState ends with 1 when dropped, even while leaving", () => {
  const client = joined();
  client.onEnd();
  const text = STRINGS.en.bye("flood");
  assertEquals(
    exit(client.onServerLine(line({ type: "bye", reason: "flood", text }))),
    { kind: "exit", code: 1, error: text },
  );
});

Deno.test("ClientState leaving during a shutdown is still a clean leave", () => {
  const client = joined();
  client.onInterrupt();
  const text = STRINGS.en.shuttingDown;
  assertEquals(
    exit(client.onServerLine(line({ type: "bye", reason: "shutdown", text }))),
    { kind: "exit", code: 0 },
  );
});

Deno.test("ClientState ends with 1 when the server shuts down", () => {
  const client = joined();
  const text = STRINGS.en.shuttingDown;
  assertEquals(
    exit(client.onServerLine(line({ type: "bye", reason: "shutdown", text }))),
    { kind: "exit", code: 1, error: text },
  );
});

Deno.test("ClientState answers ping with pong", () => {
  const client = joined();
  assertEquals(client.onServerLine(line({ type: "ping", id: 7 })), [
    { kind: "send", message: { type: "pong", id: 7 } },
  ]);
});

Deno.test("ClientState keeps track of who is online", () => {
  const client = joined();
  client.onServerLine(line({ type: "join", name: "cid", time: 0 }));
  assertEquals(client.members, ["bob", "ana", "cid"]);
  client.onServerLine(
    line({ type: "rename", from: "bob", to: "rob", time: 0 }),
  );
  assertEquals(client.members, ["rob", "ana", "cid"]);
  client.onServerLine(
    line({ type: "leave", name: "cid", reason: "quit", time: 0 }),
  );
  assertEquals(client.members, ["rob", "ana"]);
  client.onServerLine(line({ type: "members", names: ["ana", "dee"] }));
  assertEquals(client.members, ["ana", "dee"]);
});

Deno.test("ClientState follows your own rename and updates the prompt", () => {
  const client = joined({ interactive: true });
  const effects = client.onServerLine(
    line({ type: "rename", from: "ana", to: "anna", time: 0 }),
  );
  assertEquals(client.me, "anna");
  assert(effects.some((e) => e.kind === "prompt" && e.text === "anna> "));
  assertEquals(printed(effects), ["[12:00] -- ana is now known as anna"]);
});

Deno.test("ClientState alerts on a mention and on a private message", () => {
  const client = joined();
  const mention = client.onServerLine(
    line({ type: "message", from: "bob", text: "ana?", time: 0 }),
  );
  assertEquals(mention, [{
    kind: "print",
    text: "[12:00] bob: ana?",
    alert: true,
  }]);
  const plain = client.onServerLine(
    line({ type: "message", from: "bob", text: "hi", time: 0 }),
  );
  assertEquals(plain, [{
    kind: "print",
    text: "[12:00] bob: hi",
    alert: false,
  }]);
});

Deno.test("ClientState prints nothing more once done", () => {
  const client = joined();
  client.onClosed();
  assertEquals(
    client.onServerLine(
      line({ type: "message", from: "bob", text: "late", time: 0 }),
    ),
    [],
  );
  assertEquals(client.onInput("late"), []);
  assertEquals(client.onEnd(), []);
});
