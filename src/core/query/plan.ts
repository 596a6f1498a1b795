// A custom_request (spec 05) compiled to a plan that names no SQL: each store turns it into its
// own dialect. Leaves read either the indexed value table (email, phones, custom fields, tags:
// index lookups) or, for the other system fields, the profile document (a scan of the database).

/** Where a field's values are read: the value table (indexed) or the profile document (scanned). */
export type FieldSource = 'index' | 'document';

export interface Bound {
  value: number | string;
  inclusive: boolean;
}

export type ProfileQuery =
  /** Every profile of the database (`{}`). */
  | { kind: 'all' }
  | { kind: 'and'; of: ProfileQuery[] }
  | { kind: 'or'; of: ProfileQuery[] }
  /** Profiles that do not answer `of` — including those without the field ($ne, $nin, $exists: false). */
  | { kind: 'not'; of: ProfileQuery }
  /**
   * The field holds one of `values` (for array fields: one of its elements does). From the index
   * the values are the value table's text (emails lower-cased, phones E.164); from the document
   * they are typed as stored.
   */
  | { kind: 'values'; source: FieldSource; field: string; values: (string | number)[] }
  /** A value of the field within the bounds: on `num` (numbers, dates as epoch ms) or on the text. */
  | { kind: 'range'; source: FieldSource; field: string; column: 'num' | 'text'; lower?: Bound; upper?: Bound }
  /** The field has a value. */
  | { kind: 'present'; source: FieldSource; field: string };

/** True when evaluating the plan scans the database's profiles (negations, document fields). */
export function scansProfiles(q: ProfileQuery): boolean {
  switch (q.kind) {
    case 'all':
    case 'not':
      return true;
    case 'and':
      // An AND is driven by its indexed conjuncts; it scans only when none is indexed.
      return q.of.every(scansProfiles);
    case 'or':
      return q.of.some(scansProfiles);
    default:
      return q.source === 'document';
  }
}
