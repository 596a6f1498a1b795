// Launches written ahead of their messages: a launch that spans several writes (a custom_request
// paged in chunks, a task run chunk by chunk) is stored once, with its content and attachments,
// and each write's messages reference it (LaunchWrite.id).
import type { LaunchWrite } from '../ports.js';

export interface LaunchTx {
  /** Stores a launch and returns its id; messages of later writes reference it by `LaunchWrite.id`. */
  insertLaunch(accountId: number, launch: Omit<LaunchWrite, 'ref' | 'id'>, now: number): Promise<number>;
}
