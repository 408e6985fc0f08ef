/**
 * A small tmpfs for the store tests that need a full disk or a read-only
 * folder: `mount -t tmpfs` where this process may (root on Linux).
 *
 * @module
 */

/** `true` when this process may mount (root on Linux, `mount` present). */
export function canMount(): boolean {
  if (Deno.build.os !== "linux" || Deno.uid() !== 0) return false;
  try {
    return new Deno.Command("mount", { args: ["--version"], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` with a tmpfs mounted on `dir` with mount options `options`
 * (`size=1m`, `ro`), and always unmounts it.
 */
export async function withTmpfs(
  dir: string,
  options: string,
  fn: () => void | Promise<void>,
): Promise<void> {
  Deno.mkdirSync(dir, { recursive: true });
  _run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir);
  try {
    await fn();
  } finally {
    _run("umount", dir);
  }
}

function _run(program: string, ...args: string[]): void {
  const result = new Deno.Command(program, { args, stderr: "piped" })
    .outputSync();
  if (!result.success) {
    throw new Error(
      `Cannot run ${program} ${args.join(" ")}: ${
        new TextDecoder().decode(result.stderr).trim()
      }`,
    );
  }
}
