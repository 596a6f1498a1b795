// What a test send (templates/preview with test_email or test_phone, spec 05) stores: the message
// as the request rendered it, queued for a delivery worker, which sends it once. Test sends are
// kept apart from the messages, so no counter, report, hook or feedback ever sees one.
import type { MailAddress, RequestVars } from './outgoing.js';

/** A rendered test email: what the sender gets, but the recipient and the Message-ID. */
export interface TestEmailContent {
  channel: 'email';
  from: MailAddress;
  replyTo?: MailAddress;
  subject: string;
  html?: string;
  text?: string;
}

export interface TestSmsContent {
  channel: 'sms';
  text: string;
  vars: RequestVars;
}

export type TestContent = TestEmailContent | TestSmsContent;

export interface TestSendWrite {
  accountId: number;
  /** The saved template previewed; null for a template given whole in the request. */
  templateId: number | null;
  /** The resource whose channel sender sends it. */
  resourceId: number;
  address: string;
  content: TestContent;
  now: number;
}

/** `sending`: claimed by a worker; a test send left so by a crash is not sent again (once, at most). */
export type TestSendStatus = 'scheduled' | 'sending' | 'sent' | 'failed';

export interface StoredTestSend {
  id: number;
  templateId: number | null;
  channel: 'email' | 'sms';
  resourceId: number;
  address: string;
  status: TestSendStatus;
  /** Why it failed (the sender's answer), or null. */
  error: string | null;
  providerId: string | null;
  createdAt: number;
  sentAt: number | null;
}

export interface ClaimedTestSend {
  id: number;
  accountId: number;
  resourceId: number;
  address: string;
  content: TestContent;
}

export type TestSendOutcome = { status: 'sent'; providerId?: string } | { status: 'failed'; error: string };

/** In the request's transaction: queue a test send, and count the account's recent ones (the limit). */
export interface TestSendTx {
  insertTestSend(write: TestSendWrite): Promise<number>;
  countTestSends(accountId: number, since: number): Promise<number>;
}

export interface TestSendReader {
  /** The account's test sends, newest first (of one template, when given). */
  listTestSends(accountId: number, opts: { templateId?: number; limit: number }): Promise<StoredTestSend[]>;
}

/** What the worker that sends them needs. */
export interface TestSendStore extends TestSendReader {
  /** Takes up to `limit` scheduled test sends, oldest first, marking them `sending`. */
  claimTestSends(limit: number): Promise<ClaimedTestSend[]>;
  finishTestSend(id: number, outcome: TestSendOutcome, now: number): Promise<void>;
}
