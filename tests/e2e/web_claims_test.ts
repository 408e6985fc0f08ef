// The page's key: a non-extractable ECDSA P-256 key in IndexedDB, proven
// like chat join's on 127.0.0.1 (a secure context), in real Chromium.

import { assertEquals } from "@std/assert";
import {
  HAVE_CHROMIUM,
  PageUser,
  withBrowser,
  withWeb,
  WsClient,
} from "../_web.ts";

Deno.test({
  name:
    "the page claims a name with its own key: another browser is refused, the same one comes back to what it missed",
  ignore: !HAVE_CHROMIUM,
  fn: () =>
    withWeb(({ web, url }) =>
      withBrowser(async (browser) => {
        const ana = await PageUser.join(browser, url, "ana");
        const context = ana.page.context();
        // The page's own types are the DOM's: the check runs as text.
        const stored = await ana.page.evaluate(`new Promise((resolve) => {
          const open = indexedDB.open("chat", 1);
          open.onsuccess = () => {
            const get = open.result.transaction("keys").objectStore("keys")
              .get("personal");
            get.onsuccess = () =>
              resolve({ extractable: get.result.privateKey.extractable });
          };
        })`);
        assertEquals(stored, { extractable: false });
        await ana.say("/quit");
        await ana.page.close();
        const bob = await WsClient.join(web.addr.port, "bob");
        bob.send({ type: "input", text: "while ana was away" });
        // Another browser (its own IndexedDB, its own key) is refused.
        const eve = await PageUser.open(browser, url);
        await eve.chooseName("Ana");
        await eve.page.locator("#name-error", {
          hasText: 'The name "Ana" is registered to another key',
        }).waitFor();
        // The same browser is ana again, and sees what it missed.
        const back = await context.newPage();
        await back.goto(url);
        await back.locator("#name-input").fill("ana");
        await back.locator("#name-input").press("Enter");
        await back.locator("#messages li", {
          hasText: "Since you left (1) in #general:",
        })
          .waitFor();
        await back.locator("#messages li", { hasText: "while ana was away" })
          .waitFor();
        assertEquals(ana.errors, []);
        assertEquals(eve.errors, []);
        await bob.close();
      })
    ),
});
