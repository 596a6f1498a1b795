// What a launch of a trigger writes: the launch (content, custom_data and attachments, stored
// once), its messages and the hook events beside them. A launch that spans several writes (a
// custom_request paged in chunks, a task run chunk by chunk) is stored ahead of its messages, and
// each write's messages reference it.
import type { Channel } from '../catalog/types.js';

export interface AttachmentWrite {
  name: string;
  mime: string;
  data: Uint8Array;
}

/** A launch of one trigger, stored once; its messages reference it by id. */
export interface LaunchWrite {
  triggerId: number;
  kind: 'api' | 'event';
  content: Record<string, unknown> | null;
  customData: Record<string, unknown> | null;
  attachments: AttachmentWrite[];
}

/** `delivered` / `undelivered`: a sent message the provider's receipt reported on; `bounced` / `complained`: mail feedback (spec 07). */
export type MessageStatus =
  | 'scheduled'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'bounced'
  | 'complained'
  | 'failed'
  | 'skipped'
  | 'cancelled';

export interface MessageWrite {
  /** The stored launch (LaunchTx.insertLaunch) the message belongs to. */
  launchId: number;
  triggerId: number;
  profileId: string;
  channel: Channel;
  resourceId: number | null;
  address: string | null;
  status: 'scheduled' | 'skipped';
  skipReason: string | null;
  dueAt: number;
  variant: number;
  /** The item's own custom_data, when it replaces the launch's. */
  customData: Record<string, unknown> | null;
}

export interface EventWrite {
  type: string;
  dbId: number | null;
  resourceId: number | null;
  triggerId: number | null;
  profileId: string | null;
  payload: Record<string, unknown>;
}

export interface LaunchTx {
  /** Stores a launch and returns its id, which its messages carry (MessageWrite.launchId). */
  insertLaunch(accountId: number, launch: LaunchWrite, now: number): Promise<number>;
}
