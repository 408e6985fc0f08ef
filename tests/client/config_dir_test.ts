import { assertEquals, assertThrows } from "@std/assert";
import { configDir } from "../../src/client/config_dir.ts";

Deno.test("configDir() follows XDG on Linux, and the platform's folder on macOS and Windows", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assertEquals(
    configDir({
      os: "linux",
      env: env({ HOME: "/home/ana", XDG_CONFIG_HOME: "/cfg/" }),
    }),
    "/cfg/chat",
  );
  assertEquals(
    configDir({
      os: "linux",
      env: env({ HOME: "/home/ana/", XDG_CONFIG_HOME: "rel" }),
    }),
    "/home/ana/.config/chat",
  );
  assertEquals(
    configDir({ os: "darwin", env: env({ HOME: "/Users/a" }) }),
    "/Users/a/Library/Application Support/chat",
  );
  assertEquals(
    configDir({ os: "windows", env: env({ APPDATA: "C:\\A\\" }) }),
    "C:\\A\\chat",
  );
  assertEquals(
    configDir({
      os: "windows",
      env: env({ APPDATA: "C:\\Users\\ana\\AppData\\Roaming" }),
    }),
    "C:\\Users\\ana\\AppData\\Roaming\\chat",
  );
  assertThrows(
    () => configDir({ os: "linux", env: env({}) }),
    Error,
    "Cannot find the config folder: HOME is not set",
  );
});
