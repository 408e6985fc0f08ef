// The interactive client under a real pseudo-terminal: `chat join` runs in a
// detached tmux session (80x24 unless a test says otherwise, NO_COLOR=1)
// against a real `chat serve`; another user is a raw TCP socket speaking the
// native dialect. The tests type with `tmux send-keys` (or paste with
// `paste-buffer`) and read the screen with `tmux capture-pane`, polling with a
// deadline. Timings (pastes, reconnecting) are printed, never asserted.
// Without tmux the tests are ignored, never passed.

import { assert, assertEquals, assertFalse, assertMatch } from "@std/assert";
import { chatCommand, testFolder } from "../_chat_command.ts";
import { Peer, Relay, Server, waitFor } from "../_client_harness.ts";
import { TmuxWindow } from "../_tmux.ts";

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
class Terminal extends TmuxWindow {
  /**
   * Lets `chat join` leave by itself before the window goes: a process
   * killed with its window writes no coverage (issue 18). Ctrl-C clears a
   * typed line, and leaves on an empty one.
   */
  async #leave(): Promise<void> {
    const exited = async () =>
      (await this.screen()).some((row) => row.startsWith("chat exited with"));
    for (let presses = 0; presses < 3; presses++) {
      if (await exited()) return;
      await this.press("C-c");
      const deadline = Date.now() + 1_500;
      while (Date.now() < deadline) {
        if (await exited()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async kill(): Promise<void> {
    try {
      await this.#leave();
    } catch {
      // the window is gone already
    }
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
  const chat = chatCommand(["join", `127.0.0.1:${port}`, ...args]);
  return `NO_COLOR=1 LC_ALL=C.UTF-8 ${
    [chat.cmd, ...chat.args].map(_quote).join(" ")
  }; echo "chat exited with $?"; sleep 600`;
}

/** ana's chat prompt: her current room, then her name. */
const PROMPT = "#general ana> ";

/**
 * Everything a test needs: a server, bob already in, and `chat join` at a
 * terminal, by default as ana (then the test starts once ana is in).
 */
async function withChat(
  test: (
    chat: { terminal: Terminal; bob: Peer; server: Server },
  ) => Promise<void>,
  args: string[] = ["--name", "ana"],
  size = { width: 80, height: 24 },
): Promise<void> {
  const server = await Server.start();
  const terminal = new Terminal();
  let bob: Peer | undefined;
  try {
    bob = await Peer.join(server.port, "bob");
    await terminal.start(joinCommand(server.port, args), size);
    const peer = bob;
    if (args.includes("ana")) {
      await terminal.waitForScreen(
        "the prompt",
        (rows) => rows.some((row) => row.startsWith(PROMPT)) || undefined,
      );
      await peer.expect(
        "ana to join",
        (m) => m.type === "join" && m.name === "ana",
      );
    }
    await test({ terminal, bob: peer, server });
  } finally {
    await terminal.kill();
    await bob?.close();
    await server.stop();
  }
}

/** The row holding the prompt, and the rows after it while input wraps. */
function promptInput(rows: string[], width = 80): string | undefined {
  const at = rows.findLastIndex((row) => row.startsWith(PROMPT));
  if (at < 0) return undefined;
  // A wrapped input fills each row to the window's width; capture-pane
  // joins nothing, so glue the rows back together.
  let text = rows[at]!;
  for (let i = at + 1; i < rows.length && rows[i - 1]!.length === width; i++) {
    text += rows[i]!;
  }
  return text.slice(PROMPT.length);
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
      assertEquals(rows.filter((row) => row.startsWith(PROMPT)).length, 1);

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

      // Commands complete too (`/wh` would offer /whisper as well).
      await terminal.type("/who");
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
      assert((PROMPT + long).length > 160, "spans three rows");
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
      assertFalse(rows.some((row) => row.startsWith(PROMPT)), rows.join("\n"));
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
      await terminal.waitForScreen(
        "the server's refusal and a new question",
        (rows) => {
          // The refusal, then the new question below it.
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
        (rows) => rows.some((row) => row.startsWith(PROMPT)) || undefined,
      );
    }, []);
  },
});

Deno.test({
  name:
    "Ctrl-C clears a typed line without sending it, and on an empty line leaves cleanly",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      await terminal.type("typed but not sent");
      await terminal.waitForScreen(
        "the typed text",
        (rows) => promptInput(rows) === "typed but not sent" || undefined,
      );
      await terminal.press("C-c");
      await terminal.waitForScreen(
        "the cleared line",
        (rows) => promptInput(rows) === "" || undefined,
      );
      // Still in the chat: the line was only cleared.
      await terminal.type("sent");
      await terminal.press("Enter");
      await bob.expect(
        "ana's line",
        (m) => m.type === "message" && m.from === "ana" && m.text === "sent",
      );
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
        bob.received.some((m) =>
          m.type === "message" && m.from === "ana" && m.text !== "sent"
        ),
        "an unsent line stays unsent",
      );
    });
  },
});

Deno.test({
  name: "A pasted line of 8000 characters is on screen and sendable at once",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(
      async ({ terminal, bob }) => {
        for (const length of [500, 2500, 3500, 8000]) {
          // Ends in a marker, so the end of the paste is recognisable on a
          // screen too small to hold all of it.
          const marker = `<end of ${length}>`;
          const text = "0123456789".repeat(length / 10).slice(marker.length) +
            marker;
          assertEquals(text.length, length);
          const started = performance.now();
          await terminal.type(text);
          await terminal.waitForScreen(
            `the end of the ${length}-character paste`,
            (rows) => rows.join("").includes(marker) || undefined,
          );
          const shown = performance.now() - started;
          await terminal.press("Enter");
          const message = await bob.expect(
            `the ${length}-character message`,
            (m) => m.type === "message" && m.text.endsWith(marker),
          );
          const sent = performance.now() - started;
          assertEquals(message.type === "message" && message.text, text);
          console.log(
            `paste of ${length} characters into a 100x30 terminal: on ` +
              `screen after ${shown.toFixed(0)} ms, received after ` +
              `${sent.toFixed(0)} ms`,
          );
        }
      },
      ["--name", "ana"],
      { width: 100, height: 30 },
    );
  },
});

Deno.test({
  name: "The cursor moves over 👍🏽 and é in one step each",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      // e + combining acute, and a thumb with its skin tone (two code
      // points, four UTF-16 units): one character each for the reader.
      await terminal.type("ae\u0301👍🏽b");
      await terminal.waitForScreen(
        "the typed text",
        (rows) => promptInput(rows)?.endsWith("b") || undefined,
      );
      await terminal.press("Left", "Left");
      await terminal.type("X");
      await terminal.press("Left", "Left");
      await terminal.type("Y");
      await terminal.press("End", "BSpace", "BSpace");
      await terminal.press("Enter");
      const message = await bob.expect(
        "ana's message",
        (m) => m.type === "message" && m.from === "ana",
      );
      // Left twice from the end lands before 👍🏽, not inside it; Backspace
      // removes b, then the whole 👍🏽.
      assertEquals(
        message.type === "message" && message.text,
        "aYe\u0301X",
      );
    });
  },
});

Deno.test({
  name: "A resize leaves no stale input rows",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      const long = "resize me please: " + "abcdefghij".repeat(15);
      await terminal.type(long);
      await terminal.waitForScreen(
        "the long input",
        (rows) => promptInput(rows) === long || undefined,
      );
      for (const width of [50, 70, 40, 80]) {
        await terminal.tmux("resize-window", "-t", "chat", "-x", String(width));
        terminal.width = width;
        const rows = await terminal.waitForScreen(
          `the input redrawn at ${width} columns`,
          (rows) =>
            promptInput(rows, width) === long &&
              rows.filter((row) => row.includes("resize me")).length === 1
              ? rows
              : undefined,
        );
        // Nothing of the input is left anywhere else on the screen.
        const at = rows.findLastIndex((row) => row.startsWith(PROMPT));
        const inputRows = Math.ceil((PROMPT + long).length / width);
        const stale = rows.filter((row, i) =>
          (i < at || i >= at + inputRows) && /[a-j]{5}|resize/.test(row)
        );
        assertEquals(stale, [], rows.join("\n"));
      }
      await bob.say("still here?");
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
  name: "Tab completes joao to João: at the start of a line, ignoring accents",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob, server }) => {
      const joao = await Peer.join(server.port, "João");
      try {
        await bob.expect(
          "João to join",
          (m) => m.type === "join" && m.name === "João",
        );
        await terminal.waitForScreen(
          "João's join",
          (rows) =>
            rows.some((row) => row.includes("João joined")) || undefined,
        );
        await terminal.type("joao");
        await terminal.press("Tab");
        await terminal.waitForScreen(
          "the completed name",
          (rows) => promptInput(rows) === "João: " || undefined,
        );
        await terminal.type("olá");
        await terminal.press("Enter");
        const message = await joao.expect(
          "ana's message",
          (m) => m.type === "message" && m.from === "ana",
        );
        assertEquals(message.type === "message" && message.text, "João: olá");
      } finally {
        await joao.close();
      }
    });
  },
});

Deno.test({
  name: "A long message wraps with its rows indented under the text",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      const words = Array.from({ length: 30 }, (_, i) => `word${i}`);
      await bob.say(words.join(" "));
      const rows = await terminal.waitForScreen(
        "the wrapped message",
        (rows) => rows.some((row) => row.includes("word29")) ? rows : undefined,
      );
      const first = rows.findIndex((row) => row.includes("bob: word0 "));
      const last = rows.findIndex((row) => row.includes("word29"));
      assert(first >= 0 && last > first, rows.join("\n"));
      for (const row of rows.slice(first + 1, last + 1)) {
        // "[HH:MM] bob: " is 13 columns.
        assert(/^ {13}word\d/.test(row), JSON.stringify(row));
        assert(row.length <= 80);
      }
      assertEquals(
        rows.slice(first, last + 1).join(" ").replace(/^.*?bob: /, "")
          .split(/ +/),
        words,
      );
    });
  },
});

Deno.test({
  name: "A right-to-left name and text keep the name before the colon",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, server }) => {
      const peer = await Peer.join(server.port, "محمد");
      try {
        await peer.say("שלום עולם 123 hello");
        const rows = await terminal.waitForScreen(
          "the message",
          (rows) =>
            rows.some((row) => row.includes("hello")) ? rows : undefined,
        );
        const row = rows.find((row) => row.includes("hello"))!;
        // tmux keeps text in logical order and keeps the isolates: the
        // name, the colon, the text, each in its own direction.
        assertMatch(
          row,
          /^\[\d\d:\d\d\] \u2068محمد\u2069: \u2068שלום עולם 123 hello\u2069$/,
        );
        // An override sent to scramble the line is gone; the isolates stay
        // balanced.
        await peer.say("\u202eevil\u2069 \u2066x");
        const evil = await terminal.waitForScreen(
          "the second message",
          (rows) => rows.find((row) => row.includes("evil")),
        );
        assertMatch(evil, /^\[\d\d:\d\d\] \u2068محمد\u2069: evil x$/);
      } finally {
        await peer.close();
      }
    });
  },
});

Deno.test({
  name:
    "Pasting 25 lines sends them at the flood limit's pace, and shows exactly what was sent",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(
      async ({ terminal, bob }) => {
        const lines = Array.from({ length: 25 }, (_, i) => `pasted ${i + 1}`);
        const started = performance.now();
        // A real paste: tmux writes the buffer to the terminal at once,
        // each line break as Enter.
        await terminal.tmux("set-buffer", lines.join("\n") + "\n");
        await terminal.tmux("paste-buffer", "-t", "chat");
        // The lines over the limit wait, and the prompt counts them.
        await terminal.waitForScreen(
          "the waiting lines in the prompt",
          (rows) => rows.some((row) => / waiting\)> $/.test(row)) || undefined,
        );
        const received = await waitFor(
          "all 25 lines at bob",
          () => {
            const texts = bob.received.flatMap((m) =>
              m.type === "message" && m.from === "ana" ? [m.text] : []
            );
            return texts.length >= 25 ? texts : undefined;
          },
        );
        const elapsed = performance.now() - started;
        assertEquals(received, lines);
        const rows = await terminal.waitForScreen(
          "the prompt without waiting lines",
          (rows) => rows.some((row) => row === PROMPT) ? rows : undefined,
        );
        // The sender's screen shows exactly what bob received, and no
        // refusal.
        const shown = rows.flatMap((row) => {
          const match = /^\[\d\d:\d\d\] ana: (.*)$/.exec(row);
          return match ? [match[1]] : [];
        });
        assertEquals(shown, lines);
        assertFalse(rows.some((row) => row.includes("] ! ")), rows.join("\n"));
        assertFalse(
          bob.received.some((m) => m.type === "leave"),
          "ana was not dropped",
        );
        console.log(
          `25 pasted lines all sent after ${elapsed.toFixed(0)} ms`,
        );
      },
      ["--name", "ana"],
      { width: 80, height: 40 },
    );
  },
});

/** Waits until ana's screen shows a row matching `pattern`. */
function rowMatching(terminal: Terminal, what: string, pattern: RegExp) {
  return terminal.waitForScreen(
    what,
    (rows) => rows.find((row) => pattern.test(row)),
  );
}

Deno.test({
  name:
    "After a server restart the client rejoins with the same name, keeping what was typed",
  ignore: !HAS_TMUX,
  async fn() {
    // One data folder for both runs: the same identity, as a real restart.
    const data = ["--data", `${testFolder()}/data`];
    let server = await Server.start(0, data);
    const port = server.port;
    const terminal = new Terminal();
    let bob: Peer | undefined;
    try {
      bob = await Peer.join(port, "bob");
      await terminal.start(joinCommand(port, ["--name", "ana"]));
      await bob.expect("ana", (m) => m.type === "join" && m.name === "ana");
      await terminal.type("half typed");
      await terminal.waitForScreen(
        "the typed text",
        (rows) => promptInput(rows) === "half typed" || undefined,
      );
      // The server dies without a word, and comes back on the same port.
      const killed = performance.now();
      await server.stop("SIGKILL");
      await bob.close();
      await rowMatching(terminal, "the lost connection", /Lost the connection/);
      server = await Server.start(port, data);
      const restarted = performance.now();
      bob = await Peer.join(port, "bob");
      await bob.expect(
        "ana back",
        (m) => m.type === "join" && m.name === "ana",
      );
      const back = performance.now();
      console.log(
        `reconnected ${(back - restarted).toFixed(0)} ms after the server ` +
          `listened again (${
            (back - killed).toFixed(0)
          } ms after it was killed)`,
      );
      await rowMatching(terminal, "the reconnection", /-- Reconnected to /);
      // What ana was typing is still there, and goes out on Enter.
      await terminal.waitForScreen(
        "the typed text, kept",
        (rows) => promptInput(rows) === "half typed" || undefined,
      );
      await terminal.type(", now sent");
      await terminal.press("Enter");
      const message = await bob.expect(
        "ana's line",
        (m) => m.type === "message" && m.from === "ana",
      );
      assertEquals(
        message.type === "message" && message.text,
        "half typed, now sent",
      );
      await bob.say("welcome back");
      await rowMatching(terminal, "bob's line", /bob: welcome back$/);
    } finally {
      await terminal.kill();
      await bob?.close();
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "After a network drop the client shows what was said meanwhile, once, from the history",
  ignore: !HAS_TMUX,
  async fn() {
    const server = await Server.start();
    const relay = Relay.start(server.port);
    const terminal = new Terminal();
    let bob: Peer | undefined;
    try {
      bob = await Peer.join(server.port, "bob");
      await terminal.start(joinCommand(relay.port, ["--name", "ana"]));
      await bob.expect("ana", (m) => m.type === "join" && m.name === "ana");
      await bob.say("before the drop");
      await rowMatching(terminal, "bob's first line", /bob: before the drop$/);
      await terminal.type("/me typed this before the drop");
      await terminal.press("Enter");
      await bob.expect("ana's action", (m) => m.type === "message");
      // The network goes: the server sees ana leave; bob talks on.
      await relay.cut();
      await bob.expect("ana gone", (m) => m.type === "leave");
      await rowMatching(terminal, "the lost connection", /Lost the connection/);
      await bob.say("said while away");
      await bob.say("said while away, too");
      relay.resume();
      // Back under its name (its key claimed it): what was missed comes
      // under the server's "since you left".
      await rowMatching(terminal, "the reconnection", /-- Reconnected to /);
      await rowMatching(
        terminal,
        "the separator",
        /since you left: 2 lines in #general/,
      );
      const rows = await terminal.waitForScreen(
        "the missed lines",
        (rows) =>
          rows.some((row) => row.endsWith("bob: said while away, too"))
            ? rows
            : undefined,
      );
      const count = (text: string) =>
        rows.filter((row) => row.endsWith(text)).length;
      assertEquals(count("bob: before the drop"), 1, rows.join("\n"));
      assertEquals(count("* ana typed this before the drop"), 1);
      assertEquals(count("bob: said while away"), 1);
      assertEquals(count("bob: said while away, too"), 1);
    } finally {
      await terminal.kill();
      await bob?.close();
      await relay.cut();
      await server.stop();
    }
  },
});

/** The text after the last prompt that starts with `prompt`. */
function inputAfter(rows: string[], prompt: string): string | undefined {
  const row = rows.findLast((row) => row.startsWith(prompt));
  return row?.slice(prompt.length).trimEnd();
}

/** The last row that is not empty: where the input is. */
function lastRow(rows: string[]): string {
  return rows.findLast((row) => row.trim() !== "") ?? "";
}

/** Waits for the prompt row to start with `prompt` exactly. */
function waitForPrompt(terminal: Terminal, prompt: string) {
  return terminal.waitForScreen(
    `the prompt ${JSON.stringify(prompt)}`,
    (rows) => lastRow(rows).startsWith(prompt) || undefined,
  );
}

Deno.test({
  name:
    "Two rooms at a terminal: Tab completes them, the prompt follows /join and /switch, other rooms' lines are tagged and counted",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob }) => {
      await bob.send({ type: "join", room: "#ops" });
      await bob.expect("bob in #ops", (m) => m.type === "joined");
      // Tab knows #ops from a /rooms answer.
      await terminal.type("/rooms");
      await terminal.press("Enter");
      await rowMatching(terminal, "the room list", /#ops/);
      await terminal.type("/join #o");
      await terminal.press("Tab");
      await terminal.waitForScreen(
        "the completed room",
        (rows) => inputAfter(rows, PROMPT) === "/join #ops" || undefined,
      );
      await terminal.press("Enter");
      await waitForPrompt(terminal, "#ops ana> ");
      await bob.expect(
        "ana in #ops",
        (m) => m.type === "join" && m.room === "#ops" && m.name === "ana",
      );
      await terminal.type("/switch #ge");
      await terminal.press("Tab");
      await terminal.waitForScreen(
        "the completed room",
        (rows) =>
          inputAfter(rows, "#ops ana> ") === "/switch #general" || undefined,
      );
      await terminal.press("Enter");
      await waitForPrompt(terminal, PROMPT);
      // Lines of #ops while #general is current: tagged, and counted.
      await bob.send({ type: "input", room: "#ops", text: "hi ana" });
      await bob.send({ type: "input", room: "#ops", text: "still there?" });
      await rowMatching(terminal, "bob's tagged line", /\[#ops\] bob: hi ana$/);
      await waitForPrompt(terminal, `[#ops 2!] ${PROMPT}`);
      // Typing under the status is not disturbed by a new count.
      await terminal.type("half");
      await bob.send({ type: "input", room: "#ops", text: "third" });
      await terminal.waitForScreen(
        "the count and the typed text",
        (rows) =>
          inputAfter(rows, `[#ops 3!] ${PROMPT}`) === "half" || undefined,
      );
      await terminal.press("C-u");
      await terminal.type("/go #ops");
      await terminal.press("Enter");
      await waitForPrompt(terminal, "#ops ana> ");
    });
  },
});

Deno.test({
  name:
    "At a terminal, a server's password is asked without echo and the client joins with it",
  ignore: !HAS_TMUX,
  async fn() {
    const server = await Server.start(0, ["--password", "s3cret"]);
    const terminal = new Terminal();
    let bob: Peer | undefined;
    try {
      bob = await Peer.join(server.port, "bob", "s3cret");
      await terminal.start(joinCommand(server.port, ["--name", "ana"]));
      await terminal.waitForScreen(
        "the password question",
        (rows) =>
          lastRow(rows).startsWith("This server needs a password") ||
          undefined,
      );
      await terminal.type("s3cret");
      await terminal.press("Enter");
      await bob.expect("ana", (m) => m.type === "join" && m.name === "ana");
      const rows = await terminal.waitForScreen(
        "the prompt",
        (rows) => lastRow(rows).startsWith(PROMPT) ? rows : undefined,
      );
      assertFalse(rows.join("\n").includes("s3cret"), rows.join("\n"));
    } finally {
      await terminal.kill();
      await bob?.close();
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "After a network drop the client rejoins every room it was in and returns to the current one",
  ignore: !HAS_TMUX,
  async fn() {
    const server = await Server.start();
    const relay = Relay.start(server.port);
    const terminal = new Terminal();
    let bob: Peer | undefined;
    try {
      bob = await Peer.join(server.port, "bob");
      await terminal.start(joinCommand(relay.port, ["--name", "ana"]));
      await waitForPrompt(terminal, PROMPT);
      await terminal.type("/join #keyed");
      await terminal.press("Enter");
      await waitForPrompt(terminal, "#keyed ana> ");
      await terminal.type("/key door");
      await terminal.press("Enter");
      await rowMatching(terminal, "the key set", /#keyed/);
      await terminal.type("/join #games");
      await terminal.press("Enter");
      await waitForPrompt(terminal, "#games ana> ");
      await terminal.type("/switch #keyed");
      await terminal.press("Enter");
      await waitForPrompt(terminal, "#keyed ana> ");
      await bob.send({ type: "join", room: "#games" });
      await bob.expect("bob in #games", (m) => m.type === "joined");
      await relay.cut();
      await bob.expect("ana gone", (m) => m.type === "leave");
      await rowMatching(terminal, "the lost connection", /Lost the connection/);
      await bob.send({ type: "input", room: "#games", text: "meanwhile" });
      relay.resume();
      await bob.expect(
        "ana back in #games",
        (m) =>
          m.type === "join" && m.room === "#games" && m.name === "ana" &&
          bob!.received.some((e) => e.type === "leave"),
      );
      await rowMatching(
        terminal,
        "the missed line, tagged",
        /\[#games\] bob: meanwhile$/,
      );
      await waitForPrompt(terminal, "[#games 1] #keyed ana> ");
    } finally {
      await terminal.kill();
      await bob?.close();
      await relay.cut();
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "a line longer than the server takes is kept in the input with the reason, not shown as sent",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(
      async ({ terminal, bob }) => {
        const long = "y".repeat(9000);
        await terminal.type(long);
        await terminal.press("Enter");
        await terminal.waitForScreen(
          "the reason",
          (rows) =>
            rows.join("").includes(
              "That line is 9026 bytes, more than the 8192 the server takes",
            ) || undefined,
        );
        await terminal.waitForScreen(
          "the line kept in the input",
          (rows) => promptInput(rows, 200) === long || undefined,
        );
        // Enter tries it again: refused again, still kept.
        await terminal.press("Enter");
        await terminal.waitForScreen(
          "the line kept in the input, refused again",
          (rows) =>
            rows.join("").split("That line is 9026 bytes").length === 3 ||
            undefined,
        );
        // Cleared and replaced, the next line goes out; the long one never.
        await terminal.press("C-u");
        await terminal.type("shorter");
        await terminal.press("Enter");
        await bob.expect(
          "ana's shorter line",
          (m) => m.type === "message" && m.from === "ana",
        );
        assertEquals(
          bob.received.filter((m) => m.type === "message").map((m) =>
            m.type === "message" ? m.text : ""
          ),
          ["shorter"],
        );
      },
      ["--name", "ana"],
      { width: 200, height: 60 },
    );
  },
});

Deno.test({
  name:
    "Tab with several matches lists them above the prompt, and Ctrl-L clears the screen keeping the input",
  ignore: !HAS_TMUX,
  async fn() {
    await withChat(async ({ terminal, bob, server }) => {
      const bea = await Peer.join(server.port, "bea");
      try {
        await bob.expect(
          "bea to join",
          (m) => m.type === "join" && m.name === "bea",
        );
        await terminal.waitForScreen(
          "bea's arrival",
          (rows) => rows.some((row) => row.includes("bea")) || undefined,
        );
        await terminal.type("/msg b");
        await terminal.press("Tab");
        const rows = await terminal.waitForScreen(
          "the two names listed",
          (rows) => rows.includes("bea  bob") ? rows : undefined,
        );
        // The input is still there, under the list.
        assertEquals(promptInput(rows), "/msg b");
        await terminal.press("C-l");
        const cleared = await terminal.waitForScreen(
          "the cleared screen",
          (rows) => rows[0]!.startsWith(PROMPT) ? rows : undefined,
        );
        assertEquals(promptInput(cleared), "/msg b");
        assertFalse(cleared.some((row) => row.includes("bea  bob")));
        await terminal.type("ea hi");
        await terminal.press("Enter");
        await bea.expect(
          "the private message",
          (m) => m.type === "private" && m.from === "ana" && m.text === "hi",
        );
      } finally {
        await bea.close();
      }
    });
  },
});

Deno.test({
  name:
    "Without --name, Enter on an empty answer asks nothing new, and Ctrl-C at the question leaves with 0 without joining",
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
      await terminal.press("Enter");
      await terminal.press("C-c");
      const rows = await terminal.waitForScreen(
        "the exit",
        (rows) =>
          rows.some((row) => row.startsWith("chat exited with"))
            ? rows
            : undefined,
      );
      assert(rows.includes("chat exited with 0"), rows.join("\n"));
      assertFalse(rows.some((row) => row.includes("not allowed")));
      await bob.say("anyone?");
      assertFalse(
        bob.received.some((m) => m.type === "join" && m.name !== "bob"),
      );
    }, []);
  },
});

Deno.test({
  name:
    "At first contact chat join shows the server's fingerprint and asks, as ssh does; yes keeps it in the config folder and joins",
  ignore: !HAS_TMUX || Deno.build.os !== "linux",
  async fn() {
    const server = await Server.start();
    const config = testFolder();
    const terminal = new Terminal();
    let bob: Peer | undefined;
    try {
      const fingerprint = await waitFor(
        "the fingerprint chat serve prints",
        () => /fingerprint (SHA256:\S+)/.exec(server.output)?.[1],
      );
      bob = await Peer.join(server.port, "bob");
      const chat = chatCommand(
        ["join", `127.0.0.1:${server.port}`, "--name", "ana"],
        { isolate: false },
      );
      await terminal.start(
        `XDG_CONFIG_HOME=${_quote(config)} NO_COLOR=1 LC_ALL=C.UTF-8 ${
          [chat.cmd, ...chat.args].map(_quote).join(" ")
        }; echo "chat exited with $?"; sleep 600`,
        { width: 200, height: 24 },
      );
      const question =
        `Trust chat server 127.0.0.1:${server.port} with fingerprint ${fingerprint} ? (yes/no)`;
      await terminal.waitForScreen(
        "the question",
        (rows) => rows.some((row) => row.startsWith(question)) || undefined,
      );
      await terminal.type("yes");
      await terminal.press("Enter");
      await bob.expect(
        "ana to join",
        (m) => m.type === "join" && m.name === "ana",
      );
      const kept = Deno.readTextFileSync(`${config}/chat/known_servers`);
      assertMatch(
        kept,
        new RegExp(
          `\n127\\.0\\.0\\.1:${server.port} ${
            fingerprint.replace(/[+/]/g, "\\$&")
          }\n`,
        ),
      );
      await terminal.waitForScreen(
        "the prompt",
        (rows) => rows.some((row) => row.startsWith(PROMPT)) || undefined,
      );
    } finally {
      await bob?.close();
      await terminal.kill();
      await server.stop();
    }
  },
});
