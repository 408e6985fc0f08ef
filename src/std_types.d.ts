// Hand-written types for the parts of the Deno standard library that chat uses.
// The library comes from npm:deno-std (plain JavaScript, no types); see deno.json.

declare module "@std/cli/parse-args" {
  /** Options of {@linkcode parseArgs}. */
  export interface ParseOptions {
    boolean?: readonly string[];
    string?: readonly string[];
    collect?: readonly string[];
    negatable?: readonly string[];
    alias?: Record<string, string | readonly string[]>;
    default?: Record<string, unknown>;
    stopEarly?: boolean;
    "--"?: boolean;
    unknown?: (arg: string, key?: string, value?: unknown) => unknown;
  }
  /** Parsed arguments: named flags plus the positional `_` list. */
  export interface Args {
    _: Array<string | number>;
    "--"?: string[];
    [key: string]: unknown;
  }
  /** Parses command-line arguments. */
  export function parseArgs(
    args: readonly string[],
    options?: ParseOptions,
  ): Args;
}

declare module "@std/fmt/colors" {
  /** Turns colour output on or off for every function of this module. */
  export function setColorEnabled(value: boolean): void;
  /** Whether colour output is on. */
  export function getColorEnabled(): boolean;
  export function bold(str: string): string;
  export function dim(str: string): string;
  export function italic(str: string): string;
  export function inverse(str: string): string;
  export function red(str: string): string;
  export function green(str: string): string;
  export function yellow(str: string): string;
  export function blue(str: string): string;
  export function magenta(str: string): string;
  export function cyan(str: string): string;
  export function gray(str: string): string;
  export function brightRed(str: string): string;
  export function brightGreen(str: string): string;
  export function brightYellow(str: string): string;
  export function brightBlue(str: string): string;
  export function brightMagenta(str: string): string;
  export function brightCyan(str: string): string;
  export function bgYellow(str: string): string;
  /** Removes ANSI escape codes from a string. */
  export function stripAnsiCode(str: string): string;
}

declare module "@std/streams/text-line-stream" {
  /** Options of {@linkcode TextLineStream}. */
  export interface TextLineStreamOptions {
    allowCR?: boolean;
  }
  /** Splits a stream of text into lines ending in `\n` or `\r\n`. */
  export class TextLineStream extends TransformStream<string, string> {
    constructor(options?: TextLineStreamOptions);
  }
}

declare module "@std/yaml/parse" {
  /** Parses one YAML document. */
  export function parse(
    content: string,
    options?: Record<string, unknown>,
  ): unknown;
}

declare module "@std/assert" {
  export class AssertionError extends Error {}
  export function assert(expr: unknown, msg?: string): asserts expr;
  export function assertEquals<T>(actual: T, expected: T, msg?: string): void;
  export function assertNotEquals<T>(
    actual: T,
    expected: T,
    msg?: string,
  ): void;
  export function assertStrictEquals<T>(
    actual: unknown,
    expected: T,
    msg?: string,
  ): asserts actual is T;
  export function assertMatch(
    actual: string,
    expected: RegExp,
    msg?: string,
  ): void;
  export function assertNotMatch(
    actual: string,
    expected: RegExp,
    msg?: string,
  ): void;
  export function assertStringIncludes(
    actual: string,
    expected: string,
    msg?: string,
  ): void;
  export function assertArrayIncludes<T>(
    actual: ArrayLike<T>,
    expected: ArrayLike<T>,
    msg?: string,
  ): void;
  export function assertExists<T>(
    actual: T,
    msg?: string,
  ): asserts actual is NonNullable<T>;
  export function assertFalse(expr: unknown, msg?: string): void;
  export function assertGreater<T>(actual: T, expected: T, msg?: string): void;
  export function assertLess<T>(actual: T, expected: T, msg?: string): void;
  export function assertLessOrEqual<T>(
    actual: T,
    expected: T,
    msg?: string,
  ): void;
  export function assertGreaterOrEqual<T>(
    actual: T,
    expected: T,
    msg?: string,
  ): void;
  export function assertThrows(
    fn: () => unknown,
    ErrorClass?: abstract new (...args: never[]) => Error,
    msgIncludes?: string,
    msg?: string,
  ): Error;
  export function assertRejects(
    fn: () => PromiseLike<unknown>,
    ErrorClass?: abstract new (...args: never[]) => Error,
    msgIncludes?: string,
    msg?: string,
  ): Promise<Error>;
  export function fail(msg?: string): never;
  export function unreachable(msg?: string): never;
}
