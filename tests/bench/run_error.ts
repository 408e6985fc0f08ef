/**
 * The error that ends one run of the bench (one workload, dialect and size)
 * and is reported in its row, while the other runs go on.
 *
 * @module
 */

/** A run cannot go on: connects failed, a deadline passed, the server died. */
export class RunError extends Error {
  /**
   * @param message What went wrong, as the report shows it.
   */
  constructor(message: string) {
    super(message);
    this.name = "RunError";
  }
}
