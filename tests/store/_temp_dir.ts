/**
 * Helpers of the store tests: a temporary data folder removed afterwards,
 * and a look at a database from outside the store.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { ChatLine } from "../../src/protocol/messages.ts";
import { HISTORY_FILE } from "../../src/store/sqlite_store.ts";

/** Runs `fn` with a new temporary folder, and always removes it. */
export async function withTempDir(
  fn: (dir: string) => void | Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "chat_store_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A line said now-ish by ana (or `from`). */
export function line(text: string, time = 1_000, from = "ana"): ChatLine {
  return { from, text, time };
}

/** The texts of stored lines, in order. */
export function texts(lines: { line: ChatLine }[]): string[] {
  return lines.map((stored) => stored.line.text);
}

/** The result of `PRAGMA integrity_check` on a data folder's database. */
export function integrity(dir: string): string {
  const db = new DatabaseSync(`${dir}/${HISTORY_FILE}`);
  try {
    const rows = db.prepare("PRAGMA integrity_check").all();
    return rows.map((row) => String(Object.values(row)[0])).join("; ");
  } finally {
    db.close();
  }
}

/** Runs one statement on a data folder's database, from outside the store. */
export function sql(dir: string, statement: string): void {
  const db = new DatabaseSync(`${dir}/${HISTORY_FILE}`);
  try {
    db.exec(statement);
  } finally {
    db.close();
  }
}

/** The first column of a query's first row, on a data folder's database. */
export function scalar(dir: string, query: string): unknown {
  const db = new DatabaseSync(`${dir}/${HISTORY_FILE}`, { readOnly: true });
  try {
    return Object.values(db.prepare(query).get() ?? {})[0];
  } finally {
    db.close();
  }
}
