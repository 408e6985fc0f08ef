// Checks src/store/data_dir.ts: the platform's data folder on Linux (with
// and without XDG_DATA_HOME), macOS and Windows; a new folder made for its
// owner only; one-line errors for a folder that cannot be made or written
// (a file in the way, a read-only tmpfs where this process may mount).

import { assertEquals, assertThrows } from "@std/assert";
import {
  defaultDataDir,
  fileError,
  prepareDataDir,
} from "../../src/store/data_dir.ts";
import { canMount, withTmpfs } from "./_mount.ts";
import { withTempDir } from "./_temp_dir.ts";

function envOf(vars: Record<string, string>) {
  return (name: string): string | undefined => vars[name];
}

Deno.test("defaultDataDir() follows XDG on Linux, and ~/.local/share without it", () => {
  const home = { HOME: "/home/ana" };
  assertEquals(
    defaultDataDir({ os: "linux", env: envOf(home) }),
    "/home/ana/.local/share/chat",
  );
  assertEquals(
    defaultDataDir({
      os: "linux",
      env: envOf({ ...home, XDG_DATA_HOME: "/data/ana/" }),
    }),
    "/data/ana/chat",
  );
  // A relative XDG_DATA_HOME is invalid (the spec says to ignore it).
  assertEquals(
    defaultDataDir({
      os: "linux",
      env: envOf({ ...home, XDG_DATA_HOME: "x" }),
    }),
    "/home/ana/.local/share/chat",
  );
  assertEquals(
    defaultDataDir({ os: "freebsd", env: envOf(home) }),
    "/home/ana/.local/share/chat",
  );
});

Deno.test("defaultDataDir() uses Application Support on macOS and LOCALAPPDATA on Windows", () => {
  assertEquals(
    defaultDataDir({ os: "darwin", env: envOf({ HOME: "/Users/ana" }) }),
    "/Users/ana/Library/Application Support/chat",
  );
  assertEquals(
    defaultDataDir({
      os: "windows",
      env: envOf({ LOCALAPPDATA: "C:\\Users\\ana\\AppData\\Local\\" }),
    }),
    "C:\\Users\\ana\\AppData\\Local\\chat",
  );
});

Deno.test("defaultDataDir() says which variable is missing", () => {
  assertThrows(
    () => defaultDataDir({ os: "linux", env: envOf({}) }),
    Error,
    "Cannot find the data folder: HOME is not set",
  );
  assertThrows(
    () => defaultDataDir({ os: "windows", env: envOf({ HOME: "/x" }) }),
    Error,
    "Cannot find the data folder: LOCALAPPDATA is not set",
  );
});

Deno.test("defaultDataDir() reads this system by default", () => {
  const dir = defaultDataDir();
  assertEquals(dir.endsWith("chat"), true);
});

Deno.test("prepareDataDir() makes a new folder and its parents for their owner only, and leaves nothing behind", async () => {
  await withTempDir((dir) => {
    const data = `${dir}/a/b/chat`;
    prepareDataDir(data);
    if (Deno.build.os !== "windows") {
      assertEquals(Deno.statSync(data).mode! & 0o777, 0o700);
    }
    assertEquals([...Deno.readDirSync(data)], []);
    // An existing folder is used as it is.
    Deno.chmodSync(data, 0o750);
    prepareDataDir(data);
    assertEquals(Deno.statSync(data).mode! & 0o777, 0o750);
  });
});

Deno.test("prepareDataDir() says when a file is in the way", async () => {
  await withTempDir((dir) => {
    Deno.writeTextFileSync(`${dir}/file`, "");
    assertThrows(
      () => prepareDataDir(`${dir}/file`),
      Error,
      `Cannot use the data folder ${dir}/file: it is a file, not a folder`,
    );
    assertThrows(
      () => prepareDataDir(`${dir}/file/chat`),
      Error,
      `Cannot use the data folder ${dir}/file/chat: not a directory`,
    );
  });
});

Deno.test({
  name:
    "prepareDataDir() says when the folder cannot be written or made (a read-only tmpfs)",
  ignore: !canMount(),
  fn: async () => {
    await withTempDir(async (dir) => {
      await withTmpfs(`${dir}/ro`, "ro,size=64k", () => {
        assertThrows(
          () => prepareDataDir(`${dir}/ro`),
          Error,
          `Cannot use the data folder ${dir}/ro: read-only file system`,
        );
        assertThrows(
          () => prepareDataDir(`${dir}/ro/chat`),
          Error,
          `Cannot use the data folder ${dir}/ro/chat: read-only file system`,
        );
      });
    });
  },
});

Deno.test({
  name: "prepareDataDir() says when the folder is not writable by this user",
  ignore: Deno.build.os === "windows" || Deno.uid() === 0,
  fn: async () => {
    await withTempDir((dir) => {
      Deno.mkdirSync(`${dir}/locked`, { mode: 0o500 });
      assertThrows(
        () => prepareDataDir(`${dir}/locked`),
        Error,
        `Cannot use the data folder ${dir}/locked: permission denied`,
      );
      Deno.chmodSync(`${dir}/locked`, 0o700);
    });
  },
});

Deno.test("fileError() reads as the end of a sentence", () => {
  assertEquals(
    fileError(
      new Deno.errors.PermissionDenied(
        "Permission denied (os error 13): open '/x'",
      ),
    ),
    "permission denied",
  );
  assertEquals(
    fileError(new Deno.errors.NotCapable('Requires write access to "/x"')),
    "chat was not given --allow-read and --allow-write for it",
  );
  assertEquals(fileError("odd"), "odd");
});
