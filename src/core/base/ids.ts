// Profile ids: 24 lowercase hex characters, time-ordered like a MongoDB ObjectId
// (4 bytes of seconds, 5 random bytes per process, a 3-byte counter), unique across processes.
import { randomBytes, randomUUID } from 'node:crypto';

const processPart = randomBytes(5).toString('hex');
let counter = randomBytes(3).readUIntBE(0, 3);

export function newProfileId(nowMs: number): string {
  counter = (counter + 1) & 0xffffff;
  const seconds = Math.floor(nowMs / 1000) >>> 0;
  return seconds.toString(16).padStart(8, '0') + processPart + counter.toString(16).padStart(6, '0');
}

export const newTaskId = (): string => `task_${randomUUID()}`;

/** FNV-1a: a stable, fast hash (A/B variant choice). */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
