// Request keys on PostgreSQL (see store/sqlite/request-keys.ts): the claim runs in its own
// transaction — a new key is inserted (a concurrent claimer waits on the row, then sees it), an
// existing one is locked and judged; the record with the response is written in the
// transaction of the request's effects.
import { randomBytes } from 'node:crypto';
import type {
  RecordedResponse,
  RequestClaim,
  RequestClaimInput,
  RequestScope,
} from '../../core/requests/store-port.js';
import type { Queryable } from './open.js';
import { judgeKey, type KeyRow } from '../shared/request-key-rows.js';

const s = {
  insert: `INSERT INTO request_keys (token_hash, method, key, account_id, request_hash, state, claim_token, lease_until, response, created_at, expires_at)
   VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, NULL, $8, $9) ON CONFLICT (token_hash, method, key) DO NOTHING`,
  get: 'SELECT request_hash, state, lease_until, response, expires_at FROM request_keys WHERE token_hash = $1 AND method = $2 AND key = $3 FOR UPDATE',
  claim: `UPDATE request_keys SET account_id = $4, request_hash = $5, state = 'pending', claim_token = $6, lease_until = $7, response = NULL, created_at = $8, expires_at = $9
   WHERE token_hash = $1 AND method = $2 AND key = $3`,
  complete:
    "UPDATE request_keys SET state = $5, response = $6 WHERE token_hash = $1 AND method = $2 AND key = $3 AND claim_token = $4 AND state IN ('pending', 'applied')",
  release:
    "DELETE FROM request_keys WHERE token_hash = $1 AND method = $2 AND key = $3 AND claim_token = $4 AND state = 'pending'",
  purge: 'DELETE FROM request_keys WHERE expires_at < $1',
} as const;

export class PgRequestKeys {
  async claimRequestKey(db: Queryable, input: RequestClaimInput): Promise<RequestClaim> {
    const { scope, now } = input;
    const claimToken = randomBytes(9).toString('base64url');
    const values = [
      scope.tokenHash,
      scope.method,
      scope.key,
      input.accountId,
      input.requestHash,
      claimToken,
      now + input.leaseMs,
      now,
      now + input.keepMs,
    ];
    const inserted = await db.query(s.insert, values);
    if ((inserted.rowCount ?? 0) > 0) return { kind: 'claimed', claimToken };
    const row = (await db.query<KeyRow>(s.get, [scope.tokenHash, scope.method, scope.key])).rows[0];
    const found = judgeKey(row, input);
    if (found) return found;
    await db.query(s.claim, values);
    return { kind: 'claimed', claimToken };
  }

  async completeRequestKey(
    db: Queryable,
    scope: RequestScope,
    claimToken: string,
    response: RecordedResponse | null,
  ): Promise<boolean> {
    const r = await db.query(s.complete, [
      scope.tokenHash,
      scope.method,
      scope.key,
      claimToken,
      response ? 'done' : 'applied',
      response ? JSON.stringify(response) : null,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async releaseRequestKey(db: Queryable, scope: RequestScope, claimToken: string): Promise<void> {
    await db.query(s.release, [scope.tokenHash, scope.method, scope.key, claimToken]);
  }

  async purge(db: Queryable, now: number): Promise<number> {
    return (await db.query(s.purge, [now])).rowCount ?? 0;
  }
}
