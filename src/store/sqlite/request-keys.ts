// Request keys on SQLite (spec 01, deduplication): a claim with a short lease before the
// request runs, the record with its response written in the transaction of its effects, and
// expiry after the keeping window.
import { randomBytes } from 'node:crypto';
import type {
  RecordedResponse,
  RequestClaim,
  RequestClaimInput,
  RequestScope,
} from '../../core/requests/store-port.js';
import type { SqliteDb } from './open.js';
import { judgeKey, type KeyRow } from '../shared/request-key-rows.js';

export class SqliteRequestKeys {
  private readonly s;

  constructor(db: SqliteDb) {
    this.s = {
      get: db.prepare(
        'SELECT request_hash, state, lease_until, response, expires_at FROM request_keys WHERE token_hash = ? AND method = ? AND key = ?',
      ),
      claim: db.prepare(
        `INSERT INTO request_keys (token_hash, method, key, account_id, request_hash, state, claim_token, lease_until, response, created_at, expires_at)
         VALUES (@tokenHash, @method, @key, @accountId, @hash, 'pending', @token, @leaseUntil, NULL, @now, @expiresAt)
         ON CONFLICT (token_hash, method, key) DO UPDATE SET account_id = excluded.account_id, request_hash = excluded.request_hash,
           state = 'pending', claim_token = excluded.claim_token, lease_until = excluded.lease_until, response = NULL,
           created_at = excluded.created_at, expires_at = excluded.expires_at`,
      ),
      complete: db.prepare(
        "UPDATE request_keys SET state = ?, response = ? WHERE token_hash = ? AND method = ? AND key = ? AND claim_token = ? AND state IN ('pending', 'applied')",
      ),
      release: db.prepare(
        "DELETE FROM request_keys WHERE token_hash = ? AND method = ? AND key = ? AND claim_token = ? AND state = 'pending'",
      ),
      purge: db.prepare('DELETE FROM request_keys WHERE expires_at < ?'),
    };
  }

  claimRequestKey(input: RequestClaimInput): RequestClaim {
    const { scope, now } = input;
    const row = this.s.get.get(scope.tokenHash, scope.method, scope.key) as KeyRow | undefined;
    const found = judgeKey(row, input);
    if (found) return found;
    const claimToken = randomBytes(9).toString('base64url');
    this.s.claim.run({
      ...scope,
      accountId: input.accountId,
      hash: input.requestHash,
      token: claimToken,
      leaseUntil: now + input.leaseMs,
      now,
      expiresAt: now + input.keepMs,
    });
    return { kind: 'claimed', claimToken };
  }

  completeRequestKey(scope: RequestScope, claimToken: string, response: RecordedResponse | null): boolean {
    const state = response ? 'done' : 'applied';
    return (
      this.s.complete.run(
        state,
        response ? JSON.stringify(response) : null,
        scope.tokenHash,
        scope.method,
        scope.key,
        claimToken,
      ).changes > 0
    );
  }

  releaseRequestKey(scope: RequestScope, claimToken: string): void {
    this.s.release.run(scope.tokenHash, scope.method, scope.key, claimToken);
  }

  purge(now: number): number {
    return this.s.purge.run(now).changes;
  }
}
