/**
 * `deno task coverage`, after the tests: drops the raw coverage files that
 * a process killed while writing left empty or cut short (the tests kill
 * servers with SIGKILL on purpose), says how many, then prints the report
 * for `src/`.
 *
 * @module
 */

const dir = Deno.args[0] ?? "coverage";
let dropped = 0;
for await (const entry of Deno.readDir(dir)) {
  if (!entry.isFile || !entry.name.endsWith(".json")) continue;
  const path = `${dir}/${entry.name}`;
  try {
    JSON.parse(await Deno.readTextFile(path));
  } catch {
    await Deno.remove(path);
    dropped++;
  }
}
if (dropped > 0) {
  console.error(
    `${dropped} coverage file(s) of processes killed while writing were left out`,
  );
}
const report = await new Deno.Command(Deno.execPath(), {
  args: ["coverage", dir, "--include=src/"],
  stdout: "inherit",
  stderr: "inherit",
}).output();
Deno.exit(report.code);
