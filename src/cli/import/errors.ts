// Why an import stops, or a row or request of it fails.

/** The import cannot go on (the rows before it stay committed); `inDoubt` when the last batch may have been applied without an answer. */
export class ImportFailure extends Error {
  constructor(
    message: string,
    readonly inDoubt = false,
  ) {
    super(message);
  }
}

/** The request may or may not have reached the server (a network failure): retry it with its key. */
export class TransportError extends Error {}

/** A CSV syntax error past which the file cannot be read reliably (an unclosed quote). */
export class SourceError extends Error {}

/** A row that cannot be an import item (it is reported and skipped). */
export class RowError extends Error {}

/** Exit codes: every row imported; done, but some rows rejected (see the errors file); stopped. */
export const EXIT = { done: 0, failed: 1, rejected: 2, interrupted: 130 } as const;
