// What an import (or a launch for stored profiles) asks of storage in its transaction: find and
// load the profiles it touches, store launches ahead of their messages, and write everything it
// changed in one set-wise write.
import type { ProfileTx, ProfileWrite } from '../profiles/store-port.js';
import type { EventWrite, LaunchTx, MessageWrite } from '../triggers/store-port.js';

export interface ImportWrite {
  accountId: number;
  dbId: number;
  now: number;
  profiles: ProfileWrite[];
  messages: MessageWrite[];
  events: EventWrite[];
}

export interface ImportTx extends ProfileTx, LaunchTx {
  saveImport(write: ImportWrite): Promise<void>;
}
