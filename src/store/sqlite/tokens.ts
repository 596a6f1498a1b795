// API tokens on SQLite: looked up by hash with their account's config version, created,
// revoked (once: a revocation keeps its first date) and listed.
import type { TokenListing, TokenRecord, TokenRole } from '../../core/provisioning/tokens.js';
import { tokenListing, tokenRecord, type FoundTokenRow, type TokenRow } from '../shared/token-rows.js';
import type { SqliteDb } from './open.js';

export class SqliteTokens {
  private readonly s;

  constructor(db: SqliteDb) {
    this.s = {
      find: db.prepare(
        'SELECT t.account_id, t.role, t.revoked, t.rate_per_second, t.burst, a.config_version FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = ?',
      ),
      insert: db.prepare('INSERT INTO tokens (hash, account_id, role, revoked, created_at) VALUES (?, ?, ?, 0, ?)'),
      revoke: db.prepare('UPDATE tokens SET revoked = 1, revoked_at = COALESCE(revoked_at, ?) WHERE hash = ?'),
      list: db.prepare(
        'SELECT hash, account_id, role, revoked, created_at, revoked_at FROM tokens ORDER BY created_at, hash',
      ),
    };
  }

  findToken(hash: string): TokenRecord | undefined {
    const r = this.s.find.get(hash) as FoundTokenRow | undefined;
    return r && tokenRecord(r);
  }

  createToken(hash: string, accountId: number, role: TokenRole, now: number): void {
    this.s.insert.run(hash, accountId, role, now);
  }

  revokeToken(hash: string, now: number): boolean {
    return this.s.revoke.run(now, hash).changes > 0;
  }

  listTokens(): TokenListing[] {
    return (this.s.list.all() as TokenRow[]).map(tokenListing);
  }
}
