// API tokens on PostgreSQL (see the SQLite file of the same name): looked up by hash with their
// account's config version, created, revoked (once: a revocation keeps its first date) and listed.
import type { TokenListing, TokenRecord, TokenRole } from '../../core/provisioning/tokens.js';
import { tokenListing, tokenRecord, type FoundTokenRow, type TokenRow } from '../shared/token-rows.js';
import type { Queryable } from './open.js';

interface FoundRow extends FoundTokenRow {
  hash: string;
}

const s = {
  find: `SELECT t.hash, t.account_id, t.role, t.revoked, t.rate_per_second, t.burst, a.config_version
    FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = ANY($1::text[])`,
  insert: 'INSERT INTO tokens (hash, account_id, role, revoked, created_at) VALUES ($1, $2, $3, FALSE, $4)',
  revoke: 'UPDATE tokens SET revoked = TRUE, revoked_at = COALESCE(revoked_at, $2) WHERE hash = $1',
  list: 'SELECT hash, account_id, role, revoked, created_at, revoked_at FROM tokens ORDER BY created_at, hash',
} as const;

export class PgTokens {
  /** The records of the tokens found among `hashes`, by hash (one query whatever their number). */
  async findTokens(db: Queryable, hashes: string[]): Promise<Map<string, TokenRecord>> {
    const found = new Map<string, TokenRecord>();
    for (const r of (await db.query<FoundRow>(s.find, [hashes])).rows) found.set(r.hash, tokenRecord(r));
    return found;
  }

  async createToken(db: Queryable, hash: string, accountId: number, role: TokenRole, now: number): Promise<void> {
    await db.query(s.insert, [hash, accountId, role, now]);
  }

  async revokeToken(db: Queryable, hash: string, now: number): Promise<boolean> {
    return ((await db.query(s.revoke, [hash, now])).rowCount ?? 0) > 0;
  }

  async listTokens(db: Queryable): Promise<TokenListing[]> {
    return (await db.query<TokenRow>(s.list)).rows.map(tokenListing);
  }
}
