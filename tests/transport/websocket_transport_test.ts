// Checks src/transport/websocket_transport.ts with a fake socket, under a
// session in a hub: the slow-reader rule (over the bound for a second, or
// far over it at once), frames split into lines, and that the member leaves
// when the socket closes.

import { assertEquals, assertFalse } from "@std/assert";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import { Hub } from "../../src/hub/hub.ts";
import type { Member } from "../../src/hub/member.ts";
import {
  BURST_FACTOR,
  SLOW_AFTER_MS,
  WebSocketTransport,
  type WebSocketTransportOptions,
} from "../../src/transport/websocket_transport.ts";
import { Session, type SessionOptions } from "../../src/server/session.ts";
import { NATIVE_CODEC } from "../../src/protocol/native_codec.ts";

/** The parts of a WebSocket the connection uses, under the test's control. */
class FakeSocket {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: number | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  send(text: string): void {
    this.sent.push(text);
    this.bufferedAmount += new TextEncoder().encode(text).length;
  }

  close(code: number): void {
    this.closedWith = code;
    this.readyState = WebSocket.CLOSING;
  }

  /** The page sends a frame. */
  frame(data: string): void {
    this.onmessage?.({ data });
  }

  messages(): ServerMessage[] {
    // A frame carries every line queued in one turn of the event loop.
    return this.sent.flatMap((text) =>
      text.split("\n").filter((line) => line !== "").map((line) =>
        JSON.parse(line)
      )
    );
  }
}

const OPTIONS: Omit<WebSocketTransportOptions, "label" | "ip"> & {
  maxQueueBytes: number;
} = {
  maxLineBytes: 100,
  hardLimitBytes: 1000,
  maxQueueBytes: 1000,
};

const SESSION_OPTIONS: SessionOptions = {
  lang: "en",
  codec: NATIVE_CODEC,
  maxLineBytes: 100,
  promptAfterMs: 1000,
  nameTimeoutMs: 60_000,
  pingAfterMs: 30_000,
  deadAfterMs: 90_000,
  maxUsers: 0,
  log: () => {},
};

function watcher(): Member & { got: ServerMessage[] } {
  const got: ServerMessage[] = [];
  return {
    name: "",
    room: null,
    lang: "en",
    label: "watcher",
    address: "127.0.0.1",
    got,
    deliver: (message) => got.push(message),
    close() {},
  };
}

function connect(room: Hub, name: string) {
  const socket = new FakeSocket();
  const transport = new WebSocketTransport(socket as unknown as WebSocket, {
    ...OPTIONS,
    label: "test",
    ip: "127.0.0.1",
  });
  const connection = new Session(room, transport, SESSION_OPTIONS);
  const finished = connection.run();
  socket.frame(JSON.stringify({ type: "hello", version: 2, name }));
  return { socket, connection, finished };
}

Deno.test("a page over its outbound bound for a second is dropped as slow", async () => {
  const room = new Hub({ rateLimit: null });
  const bob = watcher();
  room.register(bob, "bob");
  const { socket, connection, finished } = connect(room, "ana");
  socket.bufferedAmount = OPTIONS.maxQueueBytes + 1;
  connection.tick(0);
  connection.tick(SLOW_AFTER_MS - 1);
  assertEquals(connection.closing, null, "a burst may take a moment");
  connection.tick(SLOW_AFTER_MS);
  assertEquals(connection.closing?.reason, "slow");
  await finished;
  assertEquals(bob.got.at(-1)?.type, "leave");
  assertFalse(room.has(connection));
  assertEquals(socket.closedWith, 1008);
});

Deno.test("a page whose backlog drains in time is kept", () => {
  const room = new Hub({ rateLimit: null });
  const { socket, connection } = connect(room, "ana");
  socket.bufferedAmount = OPTIONS.maxQueueBytes * 4;
  connection.tick(0);
  socket.bufferedAmount = 0;
  connection.tick(500);
  socket.bufferedAmount = OPTIONS.maxQueueBytes * 4;
  connection.tick(1000);
  connection.tick(1400);
  assertEquals(connection.closing, null);
  assertEquals(room.names(), ["ana"]);
  socket.onclose?.();
});

Deno.test("a page far over its bound is dropped at once", async () => {
  const room = new Hub({ rateLimit: null });
  const bob = watcher();
  room.register(bob, "bob");
  const { socket, connection, finished } = connect(room, "ana");
  socket.bufferedAmount = OPTIONS.maxQueueBytes * BURST_FACTOR - 10;
  room.input(bob, "this line does not fit");
  assertEquals(connection.closing?.reason, "slow");
  await finished;
  assertEquals(room.names(), ["bob"]);
});

Deno.test("a frame's lines are taken one by one, each against the line limit", async () => {
  const room = new Hub({ rateLimit: null });
  const bob = watcher();
  room.register(bob, "bob");
  const { socket } = connect(room, "ana");
  const input = (text: string) => JSON.stringify({ type: "input", text });
  socket.frame(
    `${input("one")}\r\n${input("x".repeat(200))}\n${input("two")}\n`,
  );
  assertEquals(
    bob.got.flatMap((m) => m.type === "message" ? [m.text] : []),
    ["one", "two"],
  );
  // Replies go out on the next microtask, together in one frame.
  await Promise.resolve();
  const error = socket.messages().find((m) => m.type === "error");
  assertEquals(error?.type === "error" && error.code, "line_too_long");
  socket.onclose?.();
});

Deno.test("a page whose socket closes leaves the room with reason closed", async () => {
  const room = new Hub({ rateLimit: null });
  const bob = watcher();
  room.register(bob, "bob");
  const { socket, finished } = connect(room, "ana");
  socket.readyState = WebSocket.CLOSED;
  socket.onclose?.();
  await finished;
  const leave = bob.got.at(-1);
  assertEquals(leave?.type === "leave" && leave.reason, "closed");
});
