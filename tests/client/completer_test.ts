import { assert, assertEquals } from "@std/assert";
import { COMMAND_NAMES, COMMANDS } from "../../src/protocol/commands.ts";
import { completeLine } from "../../src/client/completer.ts";

const NAMES = ["ana", "bob", "Bea", "carla"];

Deno.test("completeLine() completes a name after /msg", () => {
  assertEquals(completeLine("/msg b", { names: ["ana", "bob"] }), [
    ["bob "],
    "b",
  ]);
});

Deno.test("completeLine() offers every matching name, ignoring case", () => {
  assertEquals(completeLine("/msg B", { names: NAMES }), [
    ["Bea ", "bob "],
    "B",
  ]);
  assertEquals(completeLine("/w ", { names: NAMES }), [
    ["ana ", "Bea ", "bob ", "carla "],
    "",
  ]);
});

Deno.test("completeLine() completes names after the /msg aliases", () => {
  for (const command of ["/msg", "/w", "/pm", "/MSG", "/tell", "/whisper"]) {
    assertEquals(completeLine(`${command} ca`, { names: NAMES }), [
      ["carla "],
      "ca",
    ], command);
  }
});

Deno.test("completeLine() never offers your own name", () => {
  assertEquals(completeLine("/msg a", { names: NAMES, me: "ana" }), [[], "a"]);
  assertEquals(completeLine("hi A", { names: NAMES, me: "ANA" }), [[], "A"]);
});

Deno.test("completeLine() completes commands after a leading slash", () => {
  assertEquals(completeLine("/wh", { names: NAMES }), [
    ["/whisper ", "/who "],
    "/wh",
  ]);
  // /switch came with rooms, /search with the history.
  assertEquals(completeLine("/s", { names: NAMES }), [
    ["/switch ", "/search ", "/SAIR "],
    "/s",
  ]);
  assertEquals(
    completeLine("/", { names: [] })[0].length,
    COMMAND_NAMES.length,
  );
  assertEquals(completeLine("/zz", { names: NAMES }), [[], "/zz"]);
});

Deno.test("completeLine() uses the given command list", () => {
  assertEquals(completeLine("/h", { names: [], commands: ["help", "hop"] }), [
    ["/help ", "/hop "],
    "/h",
  ]);
});

Deno.test("completeLine() completes a name anywhere in a message", () => {
  assertEquals(completeLine("thanks c", { names: NAMES }), [["carla "], "c"]);
  // At the start of a line a name addresses someone: it ends in ": ".
  assertEquals(completeLine("b", { names: NAMES }), [["Bea: ", "bob: "], "b"]);
  assertEquals(completeLine("/me waves at bo", { names: NAMES }), [
    ["bob "],
    "bo",
  ]);
});

Deno.test("completeLine() offers nothing after a space outside /msg", () => {
  assertEquals(completeLine("hello ", { names: NAMES }), [[], ""]);
  assertEquals(completeLine("", { names: NAMES }), [[], ""]);
});

Deno.test("completeLine() completes only the name argument of /msg", () => {
  assertEquals(completeLine("/msg bob hi a", { names: NAMES }), [
    ["ana "],
    "a",
  ]);
});

Deno.test("completeLine() completes every word a command is accepted under", () => {
  for (const word of COMMAND_NAMES) {
    const [found] = completeLine(`/${word.toLowerCase()}`, { names: [] });
    assert(found.includes(`/${word} `), word);
  }
  for (const word of ["tell", "whisper", "list", "name", "?", "leave"]) {
    const [found] = completeLine(`/${word}`, { names: [] });
    assert(found.includes(`/${word} `), word);
  }
});

Deno.test("completeLine() offers names after the commands that take one, from the table", () => {
  for (const spec of COMMANDS) {
    const [found] = completeLine(`/${spec.name} `, { names: NAMES });
    assertEquals(found.length > 0, spec.completes === "names", spec.name);
  }
});

Deno.test("completeLine() ends a name at the start of a line in a colon", () => {
  assertEquals(completeLine("car", { names: NAMES }), [["carla: "], "car"]);
  assertEquals(completeLine("ok car", { names: NAMES }), [["carla "], "car"]);
  assertEquals(completeLine("/msg car", { names: NAMES }), [["carla "], "car"]);
});

Deno.test("completeLine() ignores accents", () => {
  const names = ["João", "Zoë", "Joana"];
  assertEquals(completeLine("hi Joao", { names }), [["João "], "Joao"]);
  assertEquals(completeLine("joão", { names }), [["João: "], "joão"]);
  assertEquals(completeLine("/msg zoe", { names }), [["Zoë "], "zoe"]);
  // Accents typed are ignored as well, decomposed ones too.
  assertEquals(completeLine("/msg Joa\u0303", { names }), [
    ["Joana ", "João "],
    "Joa\u0303",
  ]);
  assertEquals(completeLine("hey jo", { names }), [["Joana ", "João "], "jo"]);
});

Deno.test("completeLine() completes rooms after every command whose table entry says so", () => {
  const rooms = ["#general", "#games", "#ops"];
  const roomCommands = COMMANDS.filter((c) => c.completes === "rooms");
  assert(roomCommands.length >= 4);
  for (const command of roomCommands) {
    for (const word of [command.name, ...command.alsoAccepted]) {
      assertEquals(completeLine(`/${word} #g`, { names: NAMES, rooms }), [
        ["#games ", "#general "],
        "#g",
      ], word);
      // The `#` may be left out after such a command.
      assertEquals(completeLine(`/${word} o`, { names: NAMES, rooms }), [
        ["#ops "],
        "o",
      ], word);
    }
  }
  // Only the first argument is a room: /join's key is not completed.
  assertEquals(completeLine("/join #ops g", { names: NAMES, rooms }), [
    [],
    "g",
  ]);
});

Deno.test("completeLine() completes a #room anywhere in a line, ignoring case", () => {
  const rooms = ["#general", "#Games"];
  assertEquals(completeLine("see you in #ga", { names: NAMES, rooms }), [
    ["#Games "],
    "#ga",
  ]);
  assertEquals(completeLine("#GE", { names: NAMES, rooms }), [
    ["#general "],
    "#GE",
  ]);
  // A name is still a name after /msg, even one that looks like a room.
  assertEquals(completeLine("/msg #g", { names: NAMES, rooms }), [[], "#g"]);
});
