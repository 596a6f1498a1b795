// What a sender is handed: a fully rendered message for one channel, and what it answers.
import type { SenderDef } from '../catalog/types.js';

export interface MailAddress {
  name?: string;
  address: string;
}

export interface EmailOut {
  channel: 'email';
  /** Herald's message id: a re-send of the same message carries the same Message-ID. */
  ref: number;
  /** A test send (templates/test_send): `ref` is the test's id, not a message's. */
  test?: true;
  messageId: string;
  from: MailAddress;
  replyTo?: MailAddress;
  to: string;
  subject: string;
  html?: string;
  text?: string;
  attachments: { name: string; mime: string; data: Buffer }[];
  headers: Record<string, string>;
  /** The envelope sender (MAIL FROM): a VERP return path with a bounce domain; absent, the From address. */
  envelopeFrom?: string;
}

/** What a sender's request templates read besides the message (the `http` sender). */
export interface RequestVars {
  lead: Record<string, unknown>;
  subscription: Record<string, unknown>;
}

export interface SmsOut {
  channel: 'sms';
  ref: number;
  test?: true;
  messageId: string;
  to: string;
  text: string;
  vars: RequestVars;
}

export interface PushOut {
  channel: 'push';
  ref: number;
  messageId: string;
  to: { provider: string; subscription_id: string };
  title: string;
  text: string;
  url: string;
  image: string;
  vars: RequestVars;
}

export type OutgoingMessage = EmailOut | SmsOut | PushOut;

/**
 * What the answer says about the subscription itself (a push service's 410: the device is gone).
 * It is applied with the message's outcome, in the same transaction.
 */
export interface SubscriptionVerdict {
  status: 'unsubscribed' | 'complained' | 'hardbounced' | 'suspended';
  reason: string;
}

export type SendResult =
  /** providerId: the provider's id of the message, which its receipts name. */
  | { ok: true; providerId?: string; subscription?: SubscriptionVerdict }
  /**
   * transient: worth retrying (connection refused, timeout, SMTP 4xx, HTTP 5xx/429). bounce: a
   * permanent SMTP rejection whose enhanced status says the mailbox is bad (hard) or full (soft).
   */
  | {
      ok: false;
      transient: boolean;
      error: string;
      retryAfterMs?: number;
      subscription?: SubscriptionVerdict;
      bounce?: BounceKind;
    };

export type BounceKind = 'hard' | 'soft';

export interface Sender {
  send(message: OutgoingMessage): Promise<SendResult>;
  close(): Promise<void>;
}

/** Builds the sender for a configured sender object (adapters live in src/senders). */
export type SenderFactory = (def: SenderDef) => Sender;
