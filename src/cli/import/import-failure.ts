// Why an import stops before the end of its file (the rows before it stay committed).

/** The import cannot go on; `inDoubt` when the last batch may have been applied without an answer. */
export class ImportFailure extends Error {
  constructor(
    message: string,
    readonly inDoubt = false,
  ) {
    super(message);
  }
}
