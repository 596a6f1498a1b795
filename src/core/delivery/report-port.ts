import type { MessageStatus } from '../triggers/store-port.js';
import type { CounterName } from './counters.js';
// Read models over messages and launches: the message list (spec 04) and the campaign log.

export interface MessageFilter {
  accountId: number;
  triggerId?: number;
  profileId?: string;
  statuses?: MessageStatus[];
  fromId?: number;
  fromTime?: number;
  /** Descending ids (newest first): `fromId` is then the highest id of the page. */
  newestFirst?: boolean;
  limit: number;
}

export interface MessageRecord {
  id: number;
  triggerId: number;
  profileId: string;
  channel: string;
  resourceId: number | null;
  address: string | null;
  status: MessageStatus;
  dueAt: number;
  sentAt: number | null;
  attempts: number;
  lastError: string | null;
  skipReason: string | null;
  providerId: string | null;
  receiptStatus: string | null;
  receiptReason: string | null;
  receiptAt: number | null;
}

export interface LogEntry {
  time: number;
  kind: 'launch' | MessageStatus;
  /** Launch: messages it scheduled (skipped included); message: its id. */
  value: number;
  address: string | null;
  detail: string | null;
}

export interface ReportStore {
  listMessages(filter: MessageFilter): Promise<{ rows: MessageRecord[]; total: number }>;
  campaignLog(
    accountId: number,
    triggerId: number,
    fromTime: number,
    limit: number,
  ): Promise<{ entries: LogEntry[]; total: number }>;
  /** A trigger's report counters summed over all days (names never counted are absent). */
  counterTotals(accountId: number, triggerId: number): Promise<Partial<Record<CounterName, number>>>;
  /** A trigger's report counters per UTC day from `fromDay` to `toDay` (inclusive), days with counts only. */
  counterDays(
    accountId: number,
    triggerId: number,
    fromDay: number,
    toDay: number,
  ): Promise<{ day: number; counters: Partial<Record<CounterName, number>> }[]>;
  /** Messages of a trigger by status. */
  triggerCounts(accountId: number, triggerId: number): Promise<Partial<Record<MessageStatus, number>>>;
}
