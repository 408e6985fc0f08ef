/**
 * Every default of `chat`, written once: the command line, the server and
 * the usage text read them from here. Imports nothing.
 *
 * @module
 */

/** Default TCP port of `chat serve`. */
export const DEFAULT_PORT = 50001;

/** Default port of the web client: the chat port + 1. */
export const DEFAULT_WEB_PORT: number = DEFAULT_PORT + 1;
