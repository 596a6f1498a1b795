// What stop lists (Altcraft's suppression lists) need from storage: the lists of an account,
// their entries (email addresses, email domains, phones), and the set-wise check at send time.

export const SUPPRESSION_KINDS = ['email', 'domain', 'phone'] as const;
export type SuppressionKind = (typeof SUPPRESSION_KINDS)[number];

export interface SuppressionList {
  id: number;
  name: string;
  createdAt: number;
  updatedAt: number;
  /** Entries by kind. */
  counts: Record<SuppressionKind, number>;
}

export interface SuppressionValue {
  kind: SuppressionKind;
  value: string;
}

/** Reads, on the read view (read methods) as in transactions. */
export interface SuppressionReader {
  listSuppressionLists(accountId: number, fromId: number, limit: number): Promise<SuppressionList[]>;
  getSuppressionList(accountId: number, id: number): Promise<SuppressionList | undefined>;
  /** Which of `values` are on the list. */
  suppressedOnList(listId: number, kind: SuppressionKind, values: string[]): Promise<Set<string>>;
}

export interface SuppressionTx extends SuppressionReader {
  /** Creates (no id) or renames a list; answers its id, or undefined when the id is not the account's. */
  saveSuppressionList(accountId: number, list: { id?: number; name: string }, now: number): Promise<number | undefined>;
  /** Deletes a list and its entries; false when there was none. */
  deleteSuppressionList(accountId: number, id: number): Promise<boolean>;
  /** Adds entries; answers how many were new (the others were there already). */
  addSuppressions(
    accountId: number,
    listId: number,
    kind: SuppressionKind,
    values: string[],
    now: number,
  ): Promise<number>;
  /** Removes entries (all of the kind when `values` is undefined); answers how many went. */
  removeSuppressions(listId: number, kind: SuppressionKind, values: string[] | undefined): Promise<number>;
}

export interface SuppressionEntry {
  kind: SuppressionKind;
  value: string;
  createdAt: number;
}

export interface SuppressionEntryFilter {
  kind?: SuppressionKind;
  /** Entries whose stored value contains this text. */
  search?: string;
  offset: number;
  limit: number;
}

/** A list's entries, newest first, in pages (the read view only: what the console's stop-list page shows). */
export interface SuppressionEntryReader {
  listSuppressions(
    listId: number,
    filter: SuppressionEntryFilter,
  ): Promise<{ rows: SuppressionEntry[]; total: number }>;
}

/** The send-time check: which of an account's values are on any of its lists (one query for a batch). */
export interface SuppressionCheck {
  suppressedValues(accountId: number, values: SuppressionValue[]): Promise<Set<string>>;
}

export const suppressionKey = (v: SuppressionValue): string => `${v.kind}:${v.value}`;
