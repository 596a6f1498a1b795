// Every size limit on what a request may hold, declared once: the decoders check against these
// values and docs/LIMITS.md lists them. A value over a limit is refused with a 400 that names
// the path and the limit (an item error inside a batch); nothing here is configurable.

export const LIMITS = {
  /** Characters (code points) in a string value: string fields, a tags element, a subscription category. */
  stringLength: 16_384,
  /**
   * Bytes (UTF-8) of a value the index holds as it is. A longer value is indexed by its first
   * `indexPrefixLength` characters and a SHA-256 digest, so every index entry stays far below
   * the B-tree entry limit of PostgreSQL (about 2,700 bytes) and equality still finds it.
   */
  indexedValueBytes: 1_000,
  /**
   * Characters of a long value kept in front of its digest (text ranges compare these). Changing
   * this or indexedValueBytes changes stored keys: it needs a migration like 005_index_keys.
   */
  indexPrefixLength: 200,
  /** Characters of an email address (RFC 5321's path limit). */
  emailLength: 254,
  /** Characters of a phone number as given (E.164 has at most 15 digits; the rest is formatting). */
  phoneLength: 64,
  /** Characters of a push provider name. */
  pushProviderLength: 64,
  /** Characters of a push subscription id (device tokens and Web Push subscriptions fit easily). */
  pushSubscriptionIdLength: 4_096,
  /** Characters of a custom field name. */
  fieldNameLength: 128,
  /** Items in `data` of a batch method. */
  itemsPerRequest: 100_000,
  /** Nesting of `$and` / `$or` in a custom_request (a query without them is depth 1). */
  customRequestDepth: 32,
  /** Conditions in a custom_request: one per operator on a field (`{"a": {"$gt": 1, "$lt": 5}}` is two). */
  customRequestTerms: 1_000,
  /** Values in one `$in` / `$nin` list. */
  customRequestListValues: 10_000,
  /** Characters of a Request-ID header (printable ASCII). */
  requestIdLength: 255,
  /** Characters of a task id given to tasks/status. */
  taskIdLength: 64,
  /** Nesting of objects and arrays in a JSON body. */
  jsonDepth: 64,
  /** Nesting of elements in an XML body. */
  xmlDepth: 32,
} as const;

/** The number of code points in `s` (a pair of surrogates is one character). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** True when `s` has more than `max` characters (code points); cheap for short strings. */
export function longerThan(s: string, max: number): boolean {
  return s.length > max && codePointLength(s) > max;
}
