/**
 * The writer of the crash test: opens the store in a data folder and
 * appends lines in bursts as fast as it can, committing each burst and
 * printing `# <size>` before each commit and `<first id> <last id>
 * <burst>` of what it stored after;
 * the n-th line of a burst says `<pid> <burst> <n>`. Every third burst it
 * also takes an index step, as the server's ticker does. The test kills it
 * with SIGKILL at a random moment.
 *
 * `deno run -A _crash_writer.ts <dir> [normal|full]`
 *
 * @module
 */

import { SqliteStore } from "../../src/store/sqlite_store.ts";

const [dir, synchronous = "normal"] = Deno.args;
if (dir === undefined) throw new TypeError("Cannot write: no data folder");
const store = SqliteStore.open(dir, {
  synchronous: synchronous === "full" ? "full" : "normal",
});
const encoder = new TextEncoder();
const rooms = ["#general", "#games", "#ops"];
for (let burst = 0;; burst++) {
  const size = 1 + Math.floor(Math.random() * 400);
  let first = 0;
  let last = 0;
  for (let i = 0; i < size; i++) {
    const room = rooms[Math.floor(Math.random() * rooms.length)]!;
    const id = store.append(room, {
      from: "writer",
      text: `${Deno.pid} ${burst} ${i}`,
      time: Date.now(),
    }).id;
    if (first === 0) first = id;
    last = id;
  }
  Deno.stdout.writeSync(encoder.encode(`# ${size}\n`));
  if (!store.commit()) throw new Error("Cannot write: the commit failed");
  Deno.stdout.writeSync(encoder.encode(`${first} ${last} ${burst}\n`));
  // The server's ticker indexes now and then: so may the kill land there.
  if (burst % 3 === 2) store.index(1 + Math.floor(Math.random() * 1000));
}
