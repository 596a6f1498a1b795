// Rows of the request_keys table, the same on both stores, and how an existing key is judged.
import type { RecordedResponse, RequestClaim, RequestClaimInput } from '../../core/requests/store-port.js';

export interface KeyRow {
  request_hash: string;
  state: 'pending' | 'applied' | 'done';
  lease_until: number;
  response: string | null;
  expires_at: number;
}

/**
 * What a claim finds in the key's row: a conflict or a replay, or undefined when the key is free
 * (no row, an expired one, or a pending claim whose lease ran out — it left no effects, since
 * they commit with the record).
 */
export function judgeKey(row: KeyRow | undefined, input: RequestClaimInput): RequestClaim | undefined {
  const { now } = input;
  const alive = row !== undefined && row.expires_at > now && (row.state !== 'pending' || row.lease_until > now);
  if (!row || !alive) return undefined;
  if (row.request_hash !== input.requestHash) return { kind: 'conflict', reason: 'different' };
  if (row.state === 'done') return { kind: 'replay', response: JSON.parse(row.response as string) as RecordedResponse };
  return { kind: 'conflict', reason: row.state === 'applied' ? 'unanswered' : 'in_progress' };
}
