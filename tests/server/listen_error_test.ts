// What src/server/listen_error.ts tells a user whose server could not
// listen: each cause in words that say what to do, with the flag of the
// port that failed. The unknown host is a real lookup failure from
// Deno.listen; the other causes are the error classes Deno throws.

import { assertEquals } from "@std/assert";
import { listenError } from "../../src/server/listen_error.ts";

const WHERE = {
  host: "0.0.0.0",
  port: 50002,
  portFlag: "--web-port",
  inUseHint: "choose another --web-port",
};

Deno.test("listenError() says a taken port is in use, with the hint", () => {
  assertEquals(
    listenError(new Deno.errors.AddrInUse("busy"), WHERE).message,
    "Cannot listen on 0.0.0.0:50002: address already in use; choose another --web-port",
  );
});

Deno.test("listenError() says an address of another computer is not this one's", () => {
  assertEquals(
    listenError(new Deno.errors.AddrNotAvailable("no"), {
      ...WHERE,
      host: "192.0.2.1",
    }).message,
    "Cannot listen on 192.0.2.1:50002: that address does not belong to this computer; use --host 0.0.0.0 or one of its addresses",
  );
});

Deno.test("listenError() says a low port needs rights, naming the flag to change", () => {
  assertEquals(
    listenError(new Deno.errors.PermissionDenied("denied"), {
      ...WHERE,
      port: 80,
    }).message,
    "Cannot listen on 0.0.0.0:80: permission denied; ports below 1024 need special rights, choose a --web-port above 1023",
  );
});

Deno.test("listenError() says a host name that does not resolve is unknown", () => {
  let thrown: unknown;
  try {
    Deno.listen({ hostname: "no-such-host.invalid", port: 0 }).close();
  } catch (error) {
    thrown = error;
  }
  assertEquals(
    listenError(thrown, { ...WHERE, host: "no-such-host.invalid" }).message,
    "Cannot listen on no-such-host.invalid:50002: unknown host; give an IP address of this computer, such as 0.0.0.0",
  );
});

Deno.test("listenError() passes any other cause on as it was said, an IPv6 host in brackets", () => {
  assertEquals(
    listenError(new Error("too many open files"), { ...WHERE, host: "::" })
      .message,
    "Cannot listen on [::]:50002: too many open files",
  );
  assertEquals(
    listenError("not an Error", WHERE).message,
    "Cannot listen on 0.0.0.0:50002: not an Error",
  );
});
