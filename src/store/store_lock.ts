/**
 * One `chat serve` per data folder: an exclusive lock on a file in it,
 * holding the process id of its owner. The operating system releases the
 * lock when the process ends, however it ends (even `kill -9`), so a lock
 * file left by a process that is gone never keeps the next one out.
 *
 * @module
 */

import { fileError } from "./data_dir.ts";

/** The lock file's name in the data folder. */
export const LOCK_FILE = "chat.lock";

const encoder = new TextEncoder();

/**
 * The lock of a data folder, held until {@linkcode StoreLock.release} or
 * the end of the process.
 *
 * @example Only one holder at a time
 * ```ts no-eval
 * import { assertThrows } from "@std/assert";
 * import { StoreLock } from "./store_lock.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * using lock = StoreLock.acquire(dir);
 * assertThrows(() => StoreLock.acquire(dir), Error, `(process ${Deno.pid})`);
 * ```
 */
export class StoreLock implements Disposable {
  /** The lock file. */
  readonly path: string;
  #file: Deno.FsFile | null;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /**
   * Takes the lock of a data folder and writes this process's id in it.
   *
   * @param dir The data folder; it must exist.
   * @returns The lock.
   * @throws {Error} `Cannot open the history in <dir>: another chat serve
   * (process <pid>) is using it` when another holds it, or
   * `Cannot open the history in <dir>: <why>` when the file cannot be made.
   */
  static acquire(dir: string): StoreLock {
    const path = `${dir}/${LOCK_FILE}`;
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, {
        read: true,
        write: true,
        create: true,
        mode: 0o600,
      });
    } catch (error) {
      throw new Error(`Cannot open the history in ${dir}: ${fileError(error)}`);
    }
    if (!file.tryLockSync(true)) {
      const holder = _holder(file);
      file.close();
      const who = holder === null ? "" : ` (process ${holder})`;
      throw new Error(
        `Cannot open the history in ${dir}: another chat serve${who} is using it`,
      );
    }
    try {
      file.truncateSync(0);
      file.writeSync(encoder.encode(`${Deno.pid}\n`));
    } catch (error) {
      file.close();
      throw new Error(`Cannot open the history in ${dir}: ${fileError(error)}`);
    }
    return new StoreLock(path, file);
  }

  /** `true` until {@linkcode StoreLock.release}. */
  get held(): boolean {
    return this.#file !== null;
  }

  /**
   * Lets go of the lock. The file stays (removing it could let two
   * processes lock two different files). Idempotent.
   */
  release(): void {
    const file = this.#file;
    if (file === null) return;
    this.#file = null;
    file.truncateSync(0);
    file.close();
  }

  /** Releases the lock at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.release();
  }
}

// The process id a holder wrote, or null when the file says nothing yet.
function _holder(file: Deno.FsFile): number | null {
  const buffer = new Uint8Array(32);
  let read: number | null = null;
  try {
    read = file.readSync(buffer);
  } catch {
    // A holder that cannot be read is still a holder; name no process.
  }
  const pid = Number(new TextDecoder().decode(buffer.subarray(0, read ?? 0)));
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
