/**
 * How big each run is. The shapes are chatload's (W1 burst with a window of
 * 16, W2 twenty senders at 20 messages per second, W3 idle connections),
 * scaled so a TypeScript generator on one core can drive them and every
 * run lasts seconds:
 *
 * - burst: about {@linkcode BURST_DELIVERIES} deliveries per run (the
 *   messages per user shrink as the room grows); the window shrinks for big
 *   rooms so a receiver never has more than {@linkcode MAX_LINES_IN_FLIGHT}
 *   lines in flight, well inside the server's 256 KiB slow-reader bound;
 * - paced: `min(users, 20)` senders for {@linkcode PACED_SECONDS} s at 20
 *   messages per second, lowered for big rooms so the offered load stays at
 *   most {@linkcode PACED_MAX_DELIVERIES_PER_S};
 * - idle: 1000 and 2000 connections (chatload's W3 size). Joining 5000
 *   WebSocket members takes the server about two minutes (every join is a
 *   frame to everyone), so larger counts are for `--idle-users`;
 * - rooms: 1000 users in {@linkcode ROOMS} rooms of 20, every one sending
 *   as the window allows, each message due to its room only.
 *
 * @module
 */

import type { FanOutPlan } from "./fan_out.ts";

/** Deliveries a burst run aims at. */
export const BURST_DELIVERIES = 2_000_000;
/** chatload's window: messages in flight per sender. */
export const WINDOW = 16;
/** Most lines in flight towards one receiver in a burst. */
export const MAX_LINES_IN_FLIGHT = 2048;
/** Length of a paced run, seconds. */
export const PACED_SECONDS = 5;
/** chatload's W2 rate per sender, messages per second. */
export const PACED_RATE = 20;
/** chatload's W2 number of senders. */
export const PACED_SENDERS = 20;
/** Most deliveries per second a paced run offers. */
export const PACED_MAX_DELIVERIES_PER_S = 50_000;
/** Room sizes of the burst and paced runs. */
export const DEFAULT_USERS: readonly number[] = [10, 100, 1000];
/** Connection counts of the idle runs. */
export const DEFAULT_IDLE_USERS: readonly number[] = [1000, 2000];
/** Sizes of `--quick`. */
export const QUICK_USERS: readonly number[] = [5];
/** Users of the rooms run. */
export const DEFAULT_ROOM_USERS: readonly number[] = [1000];
/** Rooms of the rooms run (2 with `--quick`). */
export const ROOMS = 50;

/**
 * The burst run for a room.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { burstPlan } from "./plan.ts";
 *
 * assertEquals(burstPlan(1000, false).window, 2);
 * assertEquals(burstPlan(5, true).messages, 20);
 * ```
 *
 * @param users Clients in the room (at least 2).
 * @param quick The small configuration: 20 messages each.
 * @returns Senders, messages and window.
 */
export function burstPlan(users: number, quick: boolean): FanOutPlan {
  const pairs = users * (users - 1);
  const messages = quick
    ? 20
    : Math.min(20_000, Math.max(1, Math.round(BURST_DELIVERIES / pairs)));
  return {
    workload: "burst",
    senders: users,
    messages,
    window: Math.min(
      WINDOW,
      Math.max(1, Math.floor(MAX_LINES_IN_FLIGHT / users)),
    ),
    rate: 0,
    timeoutMs: quick ? 10_000 : 60_000,
  };
}

/**
 * The paced run for a room.
 *
 * @param users Clients in the room (at least 2).
 * @param quick The small configuration: half a second.
 * @param maxDeliveriesPerS Most deliveries per second to offer (the rate
 * per sender is lowered to fit, at least 1 a second).
 * @returns Senders, rate and messages.
 */
export function pacedPlan(
  users: number,
  quick: boolean,
  maxDeliveriesPerS: number = PACED_MAX_DELIVERIES_PER_S,
): FanOutPlan {
  const senders = Math.min(users, PACED_SENDERS);
  const rate = Math.min(
    PACED_RATE,
    Math.max(
      1,
      Math.floor(maxDeliveriesPerS / (senders * (users - 1))),
    ),
  );
  const seconds = quick ? 0.5 : PACED_SECONDS;
  return {
    workload: "paced",
    senders,
    messages: Math.max(1, Math.round(rate * seconds)),
    window: 0,
    rate,
    timeoutMs: quick ? 10_000 : 60_000,
  };
}

/**
 * The rooms run: a burst in many rooms at once, client `i` in room
 * `i % rooms`, about {@linkcode BURST_DELIVERIES} deliveries in all.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { roomsPlan } from "./plan.ts";
 *
 * const plan = roomsPlan(1000, false);
 * assertEquals([plan.rooms, plan.senders, plan.messages, plan.window], [50, 1000, 105, 16]);
 * ```
 *
 * @param users Clients (at least 2 per room).
 * @param quick The small configuration: 2 rooms, 20 messages each.
 * @returns Rooms, senders, messages and window.
 */
export function roomsPlan(users: number, quick: boolean): FanOutPlan {
  const rooms = quick ? 2 : Math.max(1, Math.min(ROOMS, Math.floor(users / 2)));
  const perRoom = Math.floor(users / rooms);
  const messages = quick
    ? 20
    : Math.max(1, Math.round(BURST_DELIVERIES / (users * (perRoom - 1))));
  return {
    workload: "rooms",
    rooms,
    senders: users,
    messages,
    window: Math.min(
      WINDOW,
      Math.max(1, Math.floor(MAX_LINES_IN_FLIGHT / perRoom)),
    ),
    rate: 0,
    timeoutMs: quick ? 10_000 : 60_000,
  };
}
