// Errors the store adapters share.
/**
 * The object is gone although the version matched (it cannot happen while every change bumps
 * the version): thrown to roll the bump back, and answered as `stale` by the store.
 */
export class StaleWrite extends Error {
  constructor() {
    super('the object changed concurrently');
    this.name = 'StaleWrite';
  }
}

/** A group commit that could not complete: every transaction in `entries` fails with `cause`. */
export class GroupLost<Entry> extends Error {
  constructor(
    override readonly cause: unknown,
    readonly entries: Entry[],
  ) {
    super('transaction group lost');
  }
}
