/**
 * Files only their owner may read (keys, the servers a user trusts),
 * written atomically: a reader sees the old file or the new one, never half
 * of one, and two processes writing at once leave one whole file.
 *
 * @module
 */

/** Options of {@linkcode writePrivateFile}. */
export interface WritePrivateFileOptions {
  /**
   * Whether an existing file is replaced (`true`), or kept and the call
   * told so (`false`: the first writer wins, as when two servers make
   * their identity at once).
   * @default {true}
   */
  replace?: boolean;
}

/**
 * Writes `text` to `path` with owner-only permissions (0600), through a
 * temporary file beside it that is renamed (or, without `replace`, linked)
 * into place.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { writePrivateFile } from "./private_file.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * assertEquals(writePrivateFile(`${dir}/a`, "one", { replace: false }), true);
 * assertEquals(writePrivateFile(`${dir}/a`, "two", { replace: false }), false);
 * assertEquals(writePrivateFile(`${dir}/a`, "three"), true);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @param path The file.
 * @param text What it holds.
 * @param options Whether an existing file is replaced.
 * @returns `false` when `replace` is `false` and the file already existed
 * (it is left as it was), else `true`.
 * @throws {Deno.errors.NotCapable} Without permission to write there, and
 * the platform's errors for a folder that cannot be written.
 */
export function writePrivateFile(
  path: string,
  text: string,
  options: WritePrivateFileOptions = {},
): boolean {
  const temporary = `${path}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
  Deno.writeTextFileSync(temporary, text, { mode: 0o600, createNew: true });
  try {
    // The mode passes through the umask, which could only take bits away.
    if (Deno.build.os !== "windows") Deno.chmodSync(temporary, 0o600);
    if (options.replace ?? true) {
      Deno.renameSync(temporary, path);
      return true;
    }
    try {
      Deno.linkSync(temporary, path);
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) return false;
      throw error;
    }
  } finally {
    try {
      Deno.removeSync(temporary);
    } catch {
      // Renamed into place.
    }
  }
}

/**
 * Why a file operation failed, for a message: the platform's reason in
 * lower case, without `(os error N)` or the path (messages name the file
 * themselves), and never the file's contents.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { fileErrorReason } from "./private_file.ts";
 *
 * assertEquals(fileErrorReason(new Error("Permission denied (os error 13): open '/x'")), "permission denied");
 * ```
 *
 * @param error What was thrown.
 * @returns The reason.
 */
export function fileErrorReason(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable) {
    return "chat was not given --allow-read and --allow-write for it";
  }
  const message = error instanceof Error ? error.message : String(error);
  const why = message.replace(/ \(os error \d+\)[\s\S]*$/, "");
  return why.charAt(0).toLowerCase() + why.slice(1);
}
