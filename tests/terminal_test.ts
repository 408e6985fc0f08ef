// The interactive client under a real pseudo-terminal: `chat join` runs in a
// detached tmux session (80x24, NO_COLOR=1) against a real `chat serve`;
// another user is a raw TCP socket speaking the native dialect. The tests
// type with `tmux send-keys` and read the screen with `tmux capture-pane`,
// polling with a deadline. Without tmux they are ignored, never passed.

import { assert, assertEquals, assertFalse } from "@std/assert";
import { MAIN, Peer, Server, waitFor } from "./_client_harness.ts";

function _hasTmux(): boolean {
  try {
    return new Deno.Command("tmux", {
      args: ["-V"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

const HAS_TMUX = _hasTmux();

/** `chat join` inside a detached tmux session on its own tmux server. */
class Terminal {
  readonly #socket = `chat-test-${crypto.randomUUID().slice(0, 8)}`;

  async start(command: string): Promise<void> {
    await this.tmux(
      "new-session",
      "-d",
      "-s",
      "chat",
      "-x",
      "80",
      "-y",
      "24",
      command,
    );
  }

  async tmux(...args: string[]): Promise<string> {
    const result = await new Deno.Command("tmux", {
      args: ["-L", this.#socket, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    if (!result.success) {
      throw new Error(
        `tmux ${args.join(" ")} failed: ${decoder.decode(result.stderr)}`,
      );
    }
    return decoder.decode(result.stdout);
  }

  /** Types text literally, without pressing Enter. */
  type(text: string): Promise<string> {
    return this.tmux("send-keys", "-t", "chat", "-l", text);
  }

  /** Presses keys by name: Enter, Tab, C-d... */
  press(...keys: string[]): Promise<string> {
    return this.tmux("send-keys", "-t", "chat", ...keys);
  }

  /** The visible screen, one string per row. */
  async screen(): Promise<string[]> {
    // -N keeps trailing spaces, such as the one after a completed name.
    const text = await this.tmux("capture-pane", "-p", "-N", "-t", "chat");
    return text.replace(/\n$/, "").split("\n");
  }

  /** Waits until the screen satisfies `check`; returns what it returned. */
  waitForScreen<T>(
    what: string,
    check: (rows: string[]) => T | undefined,
  ): Promise<T> {
    let last: string[] = [];
    return waitFor(
      what,
      async () => check(last = await this.screen()),
      () => `screen:\n${last.join("\n")}`,
    );
  }

  async kill(): Promise<void> {
    try {
      await this.tmux("kill-server");
    } catch {
      // the server already exited with its last session
    }
  }
}

function _quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The shell command that runs `chat join` and reports its exit code. */
function joinCommand(port: number, args: string[]): string {
  return `NO_COLOR=1 LC_ALL=C.UTF-8 ${_quote(Deno.execPath())} run -A ${
    _quote(MAIN)
  } join 127.0.0.1:${port} ${
    args.map(_quote).join(" ")
  }; echo "chat exited with $?"; sleep 600`;
}

/**
 * Everything a test needs: a server, bob already in, and `chat join` at a
 * terminal, by default as ana (then the test starts once ana is in).
 */
async function withChat(
  test: (chat: { terminal: Terminal; bob: Peer }) => Promise<void>,
  args: string[] = ["--name", "ana"],
): Promise<void> {
  const server = await Server.start();
  const terminal = new Terminal();
  let bob: Peer | undefined;
  try {
    bob = await Peer.join(server.port, "bob");
    await terminal.start(joinCommand(server.port, args));
    const peer = bob;
    if (args.includes("ana")) {
      await terminal.waitForScreen(
        "the prompt",
        (rows) => rows.some((row) => row.startsWith("ana> ")) || undefined,
      );
      await peer.expect(
        "ana to join",
        (m) => m.type === "join" && m.name === "ana",
      );
    }
    await test({ terminal, bob: peer });
  } finally {
    await terminal.kill();
    await bob?.close();
    await server.stop();
  }
}

/** The row holding the prompt, and the rows after it while input wraps. */
function promptInput(rows: string[]): string | undefined {
  const at = rows.findLastIndex((row) => row.startsWith("ana> "));
  if (at < 0) return undefined;
  // A wrapped input fills each row to 80 columns; capture-pane joins
  // nothing, so glue the rows back together.
  let text = rows[at]!;
  for (let i = at + 1; i < rows.length && rows[i - 1]!.length === 80; i++) {
    text += rows[i]!;
  }
  return text.slice("ana> ".length);
}

Deno.test({
  name:
    "Incoming messages do not garble a partly typed line, and Enter sends it",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      await terminal.type("half a sente");
      await terminal.waitForScreen(
        "the typed text",
        (rows) => promptInput(rows) === "half a sente" || undefined,
      );
      await bob.say("first from bob");
      await bob.say("second, hi ana");
      await bob.send({ type: "input", text: "/msg ana a secret" });
      await bob.say("third from bob");
      const rows = await terminal.waitForScreen(
        "bob's messages",
        (rows) =>
          rows.some((row) => row.endsWith("bob: third from bob"))
            ? rows
            : undefined,
      );
      const shown = rows.join("\n");
      for (
        const line of [
          /^\[\d\d:\d\d\] -- bob joined the chat!|Online \(2\)/m,
          /^\[\d\d:\d\d\] bob: first from bob$/m,
          /^\[\d\d:\d\d\] bob: second, hi ana$/m,
          /^\[\d\d:\d\d\] \(private\) bob: a secret$/m,
          /^\[\d\d:\d\d\] bob: third from bob$/m,
        ]
      ) {
        assert(line.test(shown), `${line} not on screen:\n${shown}`);
      }
      // The typed text is still there, untouched, on the last prompt row.
      assertEquals(promptInput(rows), "half a sente");
      assertEquals(rows.filter((row) => row.startsWith("ana> ")).length, 1);

      await terminal.type("nce");
      await terminal.press("Enter");
      const message = await bob.expect(
        "ana's message",
        (m) => m.type === "message" && m.from === "ana",
      );
      assertEquals(
        message.type === "message" && message.text,
        "half a sentence",
      );
      // The client shows the sent line itself (the server does not echo it).
      await terminal.waitForScreen(
        "ana's own line",
        (rows) =>
          rows.some((row) =>
            /^\[\d\d:\d\d\] ana: half a sentence$/.test(row)
          ) || undefined,
      );

      // NO_COLOR: nothing on the screen has a colour or other attribute.
      const styled = await terminal.tmux(
        "capture-pane",
        "-p",
        "-e",
        "-t",
        "chat",
      );
      assertFalse(styled.includes("\x1b["), JSON.stringify(styled));
    });
  },
});

Deno.test({
  name: "Tab completes /msg b to /msg bob",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      await terminal.type("/msg b");
      await terminal.press("Tab");
      await terminal.waitForScreen(
        "the completed name",
        (rows) => promptInput(rows) === "/msg bob " || undefined,
      );
      // The completion ends in a space, so what follows is the message.
      await terminal.type("psst");
      await terminal.press("Enter");
      const message = await bob.expect(
        "the private message",
        (m) => m.type === "private",
      );
      assertEquals(message, {
        type: "private",
        from: "ana",
        to: "bob",
        text: "psst",
        time: (message as { time: number }).time,
      });
      await terminal.waitForScreen(
        "the private echo",
        (rows) =>
          rows.some((row) => row.endsWith("(private to bob): psst")) ||
          undefined,
      );

      // Commands complete too.
      await terminal.type("/wh");
      await terminal.press("Tab");
      await terminal.waitForScreen(
        "the completed command",
        (rows) => promptInput(rows) === "/who " || undefined,
      );
    });
  },
});

Deno.test({
  name: "A long input that wraps past 80 columns survives incoming messages",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      const long = "This line is long enough to wrap: " +
        "abcdefghij".repeat(13);
      assert(("ana> " + long).length > 160, "spans three rows");
      await terminal.type(long);
      await terminal.waitForScreen(
        "the long input",
        (rows) => promptInput(rows) === long || undefined,
      );
      for (let i = 1; i <= 5; i++) await bob.say(`interruption ${i}`);
      const rows = await terminal.waitForScreen(
        "the interruptions",
        (rows) =>
          rows.some((row) => row.endsWith("bob: interruption 5"))
            ? rows
            : undefined,
      );
      assertEquals(promptInput(rows), long);
      // Each message is on its own row, none mixed with the input.
      for (let i = 1; i <= 5; i++) {
        assertEquals(
          rows.filter((row) => row.includes(`interruption ${i}`)).length,
          1,
          rows.join("\n"),
        );
      }
      assertFalse(
        rows.some((row) =>
          row.includes("abcdefghij") && row.includes("interruption")
        ),
      );
      // The cursor is still at the end: typing goes on where it was.
      await terminal.type("!");
      await terminal.press("Enter");
      const message = await bob.expect(
        "the long message",
        (m) => m.type === "message" && m.from === "ana",
      );
      assertEquals(message.type === "message" && message.text, long + "!");
    });
  },
});

Deno.test({
  name: "Ctrl-D leaves cleanly: the others see a quit and the client exits 0",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      await terminal.press("C-d");
      await bob.expect(
        "ana to leave",
        (m) => m.type === "leave" && m.name === "ana" && m.reason === "quit",
      );
      const rows = await terminal.waitForScreen(
        "the client to exit",
        (rows) =>
          rows.some((row) => row.startsWith("chat exited with"))
            ? rows
            : undefined,
      );
      assert(rows.includes("chat exited with 0"), rows.join("\n"));
      // The prompt was cleared on the way out.
      assertFalse(rows.some((row) => row.startsWith("ana> ")), rows.join("\n"));
    });
  },
});

Deno.test({
  name: "/SAIR leaves and the client exits 0",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      await terminal.type("/SAIR");
      await terminal.press("Enter");
      await bob.expect(
        "ana to leave",
        (m) => m.type === "leave" && m.name === "ana" && m.reason === "quit",
      );
      await terminal.waitForScreen(
        "the client to exit",
        (rows) => rows.includes("chat exited with 0") || undefined,
      );
    });
  },
});

Deno.test({
  name: "Without --name the client asks for one, and again when it is taken",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      await terminal.waitForScreen(
        "the name question",
        (rows) =>
          rows.some((row) =>
            row.startsWith("Welcome to chat! What is your name?")
          ) || undefined,
      );
      await terminal.type("no way");
      await terminal.press("Enter");
      await terminal.waitForScreen(
        "the local name check",
        (rows) =>
          rows.some((row) =>
            row.includes('! The name "no way" is not allowed')
          ) || undefined,
      );
      await terminal.type("BOB");
      await terminal.press("Enter");
      // The refusal, then the new question below it.
      await terminal.waitForScreen(
        "the server's refusal and a new question",
        (rows) => {
          const refused = rows.findIndex((row) =>
            row.includes('! The name "BOB" is taken')
          );
          const asked = rows.findLastIndex((row) =>
            row.startsWith("Please choose another name:")
          );
          return (refused >= 0 && asked > refused) || undefined;
        },
      );
      await terminal.type("ana");
      await terminal.press("Enter");
      await bob.expect(
        "ana to join",
        (m) => m.type === "join" && m.name === "ana",
      );
      await terminal.waitForScreen(
        "the chat prompt",
        (rows) => rows.some((row) => row.startsWith("ana> ")) || undefined,
      );
    }, []);
  },
});

Deno.test({
  name: "Ctrl-C leaves cleanly too, and an unsent line stays unsent",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      await terminal.type("typed but not sent");
      await terminal.press("C-c");
      const leave = await bob.expect(
        "ana to leave",
        (m) => m.type === "leave" && m.name === "ana",
      );
      // A clean leave, as with /quit or Ctrl-D, with no quit message.
      assertEquals(
        leave.type === "leave" && [leave.reason, leave.detail],
        ["quit", undefined],
      );
      await terminal.waitForScreen(
        "the client to exit",
        (rows) => rows.includes("chat exited with 0") || undefined,
      );
      assertFalse(
        bob.received.some((m) => m.type === "message" && m.from === "ana"),
        "an unsent line stays unsent",
      );
    });
  },
});
