/**
 * A detached tmux window for end-to-end tests of programs that need a
 * terminal (`chat join`, irssi).
 *
 * @module
 */

import { waitFor } from "./_client_harness.ts";

/**
 * A command in a detached tmux session (`chat`) on its own tmux server:
 * type into it, press keys, read its screen.
 */
export class TmuxWindow {
  /** The tmux server's socket name. */
  readonly socket = `chat-test-${crypto.randomUUID().slice(0, 8)}`;
  /** Columns of the window. */
  width = 80;

  async start(
    command: string,
    size = { width: 80, height: 24 },
  ): Promise<void> {
    this.width = size.width;
    await this.tmux(
      "new-session",
      "-d",
      "-s",
      "chat",
      "-x",
      String(size.width),
      "-y",
      String(size.height),
      command,
    );
  }

  async tmux(...args: string[]): Promise<string> {
    const result = await new Deno.Command("tmux", {
      args: ["-L", this.socket, ...args],
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

  /** Stops the tmux server, and the programs in its windows with it. */
  async stop(): Promise<void> {
    try {
      await this.tmux("kill-server");
    } catch {
      // the server already exited with its last session
    }
  }
}
