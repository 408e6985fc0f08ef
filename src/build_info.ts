/**
 * What the program was built from, for `chat --version`. As committed it
 * says `source`: the program runs from a checkout of the repository.
 * `deno task compile` (`src/tools/compile.ts`) writes the commit here for
 * the length of one `deno compile` and puts the file back afterwards, so a
 * compiled `chat` carries the commit it was built from and needs no file
 * next to it.
 *
 * @module
 */

/**
 * The commit the program was built from: `abc1234`, with `-dirty` when the
 * checkout had uncommitted changes, `unknown` without git; `source` when it
 * runs from source.
 */
export const COMMIT: string = "source";
