/**
 * Prints what `describeCommit()` says of a folder, for the compile test to
 * run it in a process of its own (no git on the `PATH`, or no
 * `--allow-run`).
 *
 * `deno run [--allow-run] _describe_commit.ts <folder>`
 *
 * @module
 */

import { describeCommit } from "../../src/tools/compile.ts";

console.log(await describeCommit(Deno.args[0]!));
