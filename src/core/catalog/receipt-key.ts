// Receipt keys: compared in constant time, and known to provisioning only by a digest of
// (sender name, key), which is how the receipt route tells same-named senders of two accounts apart.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export const receiptKeyId = (senderName: string, key: string): string =>
  digest(`${senderName}\u0000${key}`).toString('hex');

export function receiptKeyMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
