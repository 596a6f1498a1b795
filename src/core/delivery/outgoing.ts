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
  messageId: string;
  from: MailAddress;
  replyTo?: MailAddress;
  to: string;
  subject: string;
  html?: string;
  text?: string;
  attachments: { name: string; mime: string; data: Buffer }[];
  headers: Record<string, string>;
}

export interface SmsOut {
  channel: 'sms';
  ref: number;
  messageId: string;
  to: string;
  text: string;
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
}

export type OutgoingMessage = EmailOut | SmsOut | PushOut;

export type SendResult =
  | { ok: true }
  /** transient: worth retrying (connection refused, timeout, SMTP 4xx, HTTP 5xx/429). */
  | { ok: false; transient: boolean; error: string; retryAfterMs?: number };

export interface Sender {
  send(message: OutgoingMessage): Promise<SendResult>;
  close(): Promise<void>;
}

/** Builds the sender for a configured sender object (adapters live in src/senders). */
export type SenderFactory = (def: SenderDef) => Sender;
