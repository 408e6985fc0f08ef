// How soon after connecting a client sends its first line: the numbers the
// plain prompt's delay (PROMPT_AFTER_MS in src/config.ts) is chosen from, as
// docs/protocol.md records. `chat join` with piped input and at a terminal
// (tmux), and irssi (tmux), each connect to a listener that timestamps
// accept and the first bytes, five times over loopback; the veth case is in
// network_namespace_test.ts. The times are printed, never asserted; what is
// asserted is what each client says first.

import { assert, assertEquals, assertMatch } from "@std/assert";
import { chatCommand } from "../_chat_command.ts";
import { DEADLINE_MS } from "../_helpers.ts";
import { have } from "../_tools.ts";
import { sniff } from "../../src/protocol/sniff.ts";
import { PROMPT_AFTER_MS } from "../../src/config.ts";
import { ChatProcess } from "../_helpers.ts";
import { describeTimes, type FirstLine, firstLines } from "./_first_line.ts";

const RUNS = 5;
const HAVE_TMUX = have("tmux", "-V");
const HAVE_IRSSI = have("irssi", "--version");

/** Something started for one measurement. */
interface Started {
  stop(): Promise<unknown>;
}

/**
 * Starts a client `RUNS` times against a timestamping listener on
 * 127.0.0.1, and prints the times.
 */
async function measure(
  what: string,
  start: (port: number) => Promise<Started>,
): Promise<FirstLine[]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  // A client that never connects fails the test instead of hanging it.
  const guard = setTimeout(() => listener.close(), DEADLINE_MS * RUNS);
  const found: FirstLine[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const client = await start(listener.addr.port);
      try {
        found.push(...await firstLines(listener, 1));
      } finally {
        await client.stop();
      }
    }
  } finally {
    clearTimeout(guard);
    try {
      listener.close();
    } catch {
      // closed by the guard
    }
  }
  console.log(
    `first line after connecting, ${what}: ${
      describeTimes(found)
    }; the prompt waits ${PROMPT_AFTER_MS} ms`,
  );
  return found;
}

/** A command in a detached tmux session on its own tmux server. */
async function inTmux(command: string): Promise<Started> {
  const socket = `chat-first-${crypto.randomUUID().slice(0, 8)}`;
  const tmux = (...args: string[]) =>
    new Deno.Command("tmux", {
      args: ["-L", socket, ...args],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
  const started = await tmux(
    "new-session",
    "-d",
    "-x",
    "100",
    "-y",
    "30",
    command,
  );
  assert(started.success, `tmux could not start ${command}`);
  return { stop: () => tmux("kill-server") };
}

function _quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function assertHello(found: readonly FirstLine[]): void {
  for (const { line } of found) {
    assertEquals(sniff(line).id, "native", line);
    assertMatch(line, /^\{"type":"hello","version":2,"name":"ana"/);
  }
}

Deno.test("chat join with piped input sends its hello as soon as it connects (measured)", async () => {
  const found = await measure(
    "chat join, piped, loopback",
    (port) => {
      const join = new ChatProcess(
        ["join", `127.0.0.1:${port}`, "--name", "ana"],
        { stdin: true },
      );
      return Promise.resolve(join);
    },
  );
  assertHello(found);
});

Deno.test({
  name:
    "chat join at a terminal sends its hello as soon as it connects (measured)",
  ignore: !HAVE_TMUX,
  async fn() {
    const found = await measure("chat join, terminal, loopback", (port) => {
      const chat = chatCommand(["join", `127.0.0.1:${port}`, "--name", "ana"]);
      return inTmux([chat.cmd, ...chat.args].map(_quote).join(" "));
    });
    assertHello(found);
  },
});

Deno.test({
  name: "irssi sends its first IRC line as soon as it connects (measured)",
  ignore: !HAVE_TMUX || !HAVE_IRSSI,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "chat_irssi_" });
    try {
      const found = await measure("irssi, loopback", (port) =>
        inTmux(
          `irssi --home=${_quote(home)} -c 127.0.0.1 -p ${port} -n ana`,
        ));
      for (const { line } of found) assertMatch(line, /^(CAP LS|PASS|NICK)\b/);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});
