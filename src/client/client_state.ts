/**
 * The terminal client as a pure state machine: events in (a line from the
 * server, a line the user typed, end of input, Ctrl-C, the connection
 * closing, a deadline passing), effects out (send this, print that, set
 * the prompt, arm a deadline, exit). `client.ts` drives it with real I/O;
 * tests drive it directly.
 *
 * @module
 */

import { parseCommand } from "../protocol/commands.ts";
import { checkName } from "../protocol/name_rules.ts";
import {
  type ClientMessage,
  decodeServerMessage,
  type Lang,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../protocol/messages.ts";
import {
  renderMessage,
  type RenderOptions,
  renderOwnMessage,
} from "./render.ts";
import { sanitizeText } from "../protocol/sanitize.ts";
import { CLIENT_STRINGS } from "../i18n/client_strings.ts";
import { STRINGS } from "../i18n/server_strings.ts";

/** How long to wait for the server's `bye` after asking to leave. */
export const LEAVE_TIMEOUT_MS = 2000;

/** Something the driver must do. */
export type ClientEffect =
  /** Send a message to the server. */
  | { kind: "send"; message: ClientMessage }
  /** Show lines to the user; `alert` rings the bell on a terminal. */
  | { kind: "print"; text: string; alert: boolean }
  /** Change the input prompt. */
  | { kind: "prompt"; text: string }
  /**
   * Pace `input` messages to the server's flood limit (scripted input,
   * which can be faster than any typist).
   */
  | { kind: "pace"; rate: number; burst: number }
  /** Arm the one deadline (replacing any other), or clear it with `null`. */
  | { kind: "deadline"; ms: number | null }
  /**
   * End the session with an exit code; `error`, if any, is the one line to
   * write to standard error after the terminal is restored.
   */
  | { kind: "exit"; code: 0 | 1; error?: string };

/**
 * Where the session is: waiting for the answer to `hello`, asking the user
 * for another name, chatting, leaving (waiting for `bye`), or done.
 */
export type ClientPhase = "hello" | "naming" | "chat" | "leaving" | "done";

/** Options of {@linkcode ClientState}. */
export interface ClientStateOptions {
  /** The name to ask for first; checked already. */
  name: string;
  /** `host:port` of the server, for messages. */
  address: string;
  /**
   * Language of the user.
   *
   * @default {"en"}
   */
  lang?: Lang;
  /**
   * Whether a person is at a terminal: a refused name is asked again and
   * your own messages are shown; otherwise a refused name ends the session
   * and only what others send is shown.
   *
   * @default {false}
   */
  interactive?: boolean;
  /**
   * Whether printed text may hold colours.
   *
   * @default {false}
   */
  color?: boolean;
  /**
   * Milliseconds to wait for the server's answer to `hello`.
   *
   * @default {10000}
   */
  timeoutMs?: number;
  /**
   * The clock, in milliseconds since the epoch.
   *
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Formats times at the start of lines.
   *
   * @default {formatClock} local `HH:MM`
   */
  formatTime?: (time: number) => string;
  /**
   * Columns of the terminal now, to wrap long lines under their text.
   *
   * @default {undefined} no wrapping
   */
  width?: () => number;
}

/**
 * The client's state: phase, your name, who is online. Every method takes
 * one event and returns the effects to carry out, in order.
 *
 * Exit codes: 0 when the user leaves (`/quit`, end of input, Ctrl-C, even
 * if the server does not confirm in time or shuts down meanwhile); 1 when
 * the session ends for any other reason — the name was refused and cannot
 * be asked again, the connection was lost, the server sent `bye` for its
 * own reasons (flooding, time-out...; even while leaving, as lines may
 * have been lost). A server shutdown counts as 1 too: it is not the user's
 * fault, but the session ended before the user chose to leave, and
 * scripts need to know.
 *
 * @example Join and receive a message
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ClientState } from "./client_state.ts";
 *
 * const state = new ClientState({ name: "ana", address: "10.0.0.2:50001" });
 * assertEquals(state.start()[0], {
 *   kind: "send",
 *   message: { type: "hello", version: 1, name: "ana", lang: "en" },
 * });
 * state.onServerLine(JSON.stringify({
 *   type: "welcome", name: "ana", members: ["ana", "bob"], history: [],
 *   server: "chat", version: 1,
 * }));
 * assertEquals(state.phase, "chat");
 * assertEquals(state.members, ["ana", "bob"]);
 * ```
 */
export class ClientState {
  #options: ClientStateOptions;
  #phase: ClientPhase = "hello";
  #me: string;
  #members: string[] = [];
  #pending: string[] = [];
  #endAfterWelcome = false;

  /** @param options Name, server address, language and display choices. */
  constructor(options: ClientStateOptions) {
    this.#options = options;
    this.#me = options.name;
  }

  /** Where the session is. */
  get phase(): ClientPhase {
    return this.#phase;
  }

  /** Your name: the one asked for, then the one the server gave. */
  get me(): string {
    return this.#me;
  }

  /** Names of the members online, as last heard from the server. */
  get members(): readonly string[] {
    return this.#members;
  }

  /** The prompt for chat input. */
  get chatPrompt(): string {
    return `${this.#me}> `;
  }

  /**
   * Opens the session: sends `hello` and waits for the answer.
   *
   * @returns The effects.
   */
  start(): ClientEffect[] {
    return this.#hello(this.#options.name);
  }

  /**
   * Handles one line from the server.
   *
   * @param line The line without its line ending.
   * @returns The effects.
   */
  onServerLine(line: string): ClientEffect[] {
    if (this.#phase === "done") return [];
    let message: ServerMessage;
    try {
      message = decodeServerMessage(line);
    } catch {
      // Lines of unknown types are skipped (a newer server may send them);
      // but a first answer that is not JSON at all is not a chat server.
      if (this.#phase === "hello" && !_isJsonObject(line)) {
        return this.#exit(1, this.#client.notChatServer(this.#options.address));
      }
      return [];
    }
    return this.#onMessage(message);
  }

  /**
   * Handles a line the user typed (or, without a terminal, read from
   * standard input).
   *
   * @param line The line without its line ending.
   * @returns The effects.
   */
  onInput(line: string): ClientEffect[] {
    switch (this.#phase) {
      case "hello":
        // Typed before the welcome arrived: send it once joined.
        if (line.trim() !== "") this.#pending.push(line);
        return [];
      case "naming":
        return this.#onNameAnswer(line);
      case "chat":
        return this.#say(line);
      default:
        return [];
    }
  }

  /**
   * Handles the end of input (Ctrl-D, or the end of piped input): leaves.
   * Before the welcome it waits for it, so that lines read before the end
   * are sent first.
   *
   * @returns The effects.
   */
  onEnd(): ClientEffect[] {
    if (this.#phase === "hello") {
      // Piped input can end before the welcome arrives: send what was read
      // first, then leave.
      this.#endAfterWelcome = true;
      return [];
    }
    return this.#leave();
  }

  /**
   * Handles Ctrl-C or a termination signal: leaves; a second one while
   * leaving exits at once.
   *
   * @returns The effects.
   */
  onInterrupt(): ClientEffect[] {
    if (this.#phase === "leaving") return this.#exit(0);
    return this.#leave();
  }

  /**
   * Handles the server closing the connection (or a reset).
   *
   * @returns The effects.
   */
  onClosed(): ClientEffect[] {
    switch (this.#phase) {
      case "done":
        return [];
      case "leaving":
        return this.#exit(0);
      default:
        return this.#exit(
          1,
          this.#client.connectionLost(this.#options.address),
        );
    }
  }

  /**
   * Handles the deadline passing.
   *
   * @returns The effects.
   */
  onDeadline(): ClientEffect[] {
    switch (this.#phase) {
      case "hello":
        return this.#exit(
          1,
          this.#client.noAnswer(this.#options.address, this.#timeoutMs / 1000),
        );
      case "leaving":
        return this.#exit(0);
      default:
        return [];
    }
  }

  get #client() {
    return CLIENT_STRINGS[this.#options.lang ?? "en"];
  }

  get #timeoutMs(): number {
    return this.#options.timeoutMs ?? 10_000;
  }

  get #render(): RenderOptions {
    const options: RenderOptions = {
      me: this.#me,
      lang: this.#options.lang ?? "en",
      color: this.#options.color ?? false,
      now: (this.#options.now ?? Date.now)(),
    };
    if (this.#options.formatTime) options.formatTime = this.#options.formatTime;
    if (this.#options.width) options.width = this.#options.width();
    return options;
  }

  #hello(name: string): ClientEffect[] {
    this.#phase = "hello";
    return [
      {
        kind: "send",
        message: {
          type: "hello",
          version: PROTOCOL_VERSION,
          name,
          lang: this.#options.lang ?? "en",
        },
      },
      { kind: "deadline", ms: this.#timeoutMs },
    ];
  }

  #exit(code: 0 | 1, error?: string): ClientEffect[] {
    this.#phase = "done";
    const effects: ClientEffect[] = [{ kind: "deadline", ms: null }];
    effects.push(
      error === undefined ? { kind: "exit", code } : {
        kind: "exit",
        code,
        error,
      },
    );
    return effects;
  }

  #leave(): ClientEffect[] {
    if (this.#phase === "done" || this.#phase === "leaving") return [];
    this.#phase = "leaving";
    return [
      { kind: "send", message: { type: "quit" } },
      { kind: "deadline", ms: LEAVE_TIMEOUT_MS },
    ];
  }

  #print(message: ServerMessage): ClientEffect[] {
    const rendered = renderMessage(message, this.#render);
    if (rendered === undefined) return [];
    return [{ kind: "print", text: rendered.text, alert: rendered.alert }];
  }

  #onMessage(message: ServerMessage): ClientEffect[] {
    switch (message.type) {
      case "ping":
        return [{ kind: "send", message: { type: "pong", id: message.id } }];
      case "pong":
        return [];
      case "bye":
        return this.#onBye(message);
      case "welcome":
        return this.#onWelcome(message);
      case "name_error":
        return this.#onNameError(message);
      default:
        // Everything else belongs to the chat (a server may send notices
        // before the welcome; show them too).
        this.#track(message);
        return [
          ...this.#print(message),
          ...(message.type === "rename" && message.to === this.#me
            ? [{ kind: "prompt", text: this.chatPrompt } as const]
            : []),
        ];
    }
  }

  #onBye(message: Extract<ServerMessage, { type: "bye" }>): ClientEffect[] {
    // Leaving and the server confirms, or shuts down anyway: a clean leave.
    // Dropped for flooding or the like, even while leaving: lines were lost.
    if (
      message.reason === "quit" ||
      (this.#phase === "leaving" && message.reason === "shutdown")
    ) {
      return this.#exit(0);
    }
    return this.#exit(1, sanitizeText(String(message.text)));
  }

  #onWelcome(
    message: Extract<ServerMessage, { type: "welcome" }>,
  ): ClientEffect[] {
    if (this.#phase !== "hello") return [];
    this.#phase = "chat";
    this.#me = sanitizeText(String(message.name));
    this.#members = _names(message.members);
    const effects: ClientEffect[] = [
      { kind: "deadline", ms: null },
      ...this.#print(message),
      { kind: "prompt", text: this.chatPrompt },
    ];
    const limits = message.limits;
    if (
      !this.#options.interactive && limits &&
      typeof limits.rate === "number" && typeof limits.burst === "number"
    ) {
      effects.push({ kind: "pace", rate: limits.rate, burst: limits.burst });
    }
    const pending = this.#pending;
    this.#pending = [];
    for (const line of pending) {
      if (this.#phase === "chat") effects.push(...this.#say(line));
    }
    if (this.#endAfterWelcome) effects.push(...this.#leave());
    return effects;
  }

  #onNameError(
    message: Extract<ServerMessage, { type: "name_error" }>,
  ): ClientEffect[] {
    if (this.#phase !== "hello") return [];
    if (!this.#options.interactive) {
      return this.#exit(1, sanitizeText(String(message.text)));
    }
    this.#pending = [];
    // Input ended while waiting: there is nobody to ask.
    if (this.#endAfterWelcome) return this.#leave();
    this.#phase = "naming";
    return [
      { kind: "deadline", ms: null },
      ...this.#print(message),
      { kind: "prompt", text: this.namePrompt },
    ];
  }

  /** The prompt asking for another name. */
  get namePrompt(): string {
    return `${STRINGS[this.#options.lang ?? "en"].askAnotherName} `;
  }

  #onNameAnswer(line: string): ClientEffect[] {
    if (line.trim() === "") return [];
    const checked = checkName(line);
    if (!checked.ok) {
      const text = STRINGS[this.#options.lang ?? "en"].nameError(
        checked.code,
        checked.name,
      );
      return this.#print({ type: "error", code: `name_${checked.code}`, text });
    }
    this.#me = checked.name;
    return this.#hello(checked.name);
  }

  #say(line: string): ClientEffect[] {
    if (line.trim() === "") return [];
    const effects: ClientEffect[] = [
      { kind: "send", message: { type: "input", text: line } },
    ];
    const command = parseCommand(line);
    if (command.kind === "quit") {
      // The server answers with `bye`; wait for it as when leaving.
      this.#phase = "leaving";
      effects.push({ kind: "deadline", ms: LEAVE_TIMEOUT_MS });
      return effects;
    }
    // The server does not echo public lines to their sender: show them here
    // as the others will see them (sanitised, trailing space trimmed).
    if (
      this.#options.interactive &&
      (command.kind === "say" || command.kind === "me")
    ) {
      const text = sanitizeText(command.text).trimEnd();
      if (text !== "") {
        effects.push({
          kind: "print",
          text: renderOwnMessage(text, this.#render, {
            action: command.kind === "me",
          }),
          alert: false,
        });
      }
    }
    return effects;
  }

  #track(message: ServerMessage): void {
    switch (message.type) {
      case "join":
        if (!this.#members.includes(message.name)) {
          this.#members.push(message.name);
        }
        return;
      case "leave":
        this.#members = this.#members.filter((name) => name !== message.name);
        return;
      case "rename":
        this.#members = this.#members.map((name) =>
          name === message.from ? message.to : name
        );
        if (message.from === this.#me) this.#me = message.to;
        return;
      case "members":
        this.#members = _names(message.names);
        return;
      default:
        return;
    }
  }
}

function _names(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((name): name is string => typeof name === "string")
    .map(sanitizeText);
}

function _isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null;
  } catch {
    return false;
  }
}
