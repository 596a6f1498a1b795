// Rows of the tokens table, the same on both stores (SQLite's 0/1 and PostgreSQL's booleans).
import type { TokenListing, TokenRecord, TokenRole } from '../../core/provisioning/tokens.js';

export interface TokenRow {
  hash: string;
  account_id: number;
  role: string;
  revoked: number | boolean;
  created_at: number | string;
  revoked_at: number | string | null;
}

export function tokenListing(r: TokenRow): TokenListing {
  const out: TokenListing = {
    hash: r.hash,
    accountId: Number(r.account_id),
    role: r.role as TokenRole,
    createdAt: Number(r.created_at),
  };
  // A token revoked before revocations were dated counts as revoked at its creation.
  if (r.revoked === true || r.revoked === 1) out.revokedAt = Number(r.revoked_at ?? r.created_at);
  return out;
}

/** A token as its lookup finds it, with its account's configuration version. */
export interface FoundTokenRow {
  account_id: number;
  role: TokenRole;
  revoked: number | boolean;
  rate_per_second: number | null;
  burst: number | null;
  config_version: number;
}

export function tokenRecord(r: FoundTokenRow): TokenRecord {
  const record: TokenRecord = {
    accountId: r.account_id,
    role: r.role,
    revoked: r.revoked === true || r.revoked === 1,
    configVersion: r.config_version,
  };
  if (r.rate_per_second !== null)
    record.rateLimit = {
      perSecond: r.rate_per_second,
      burst: r.burst ?? Math.max(1, Math.ceil(r.rate_per_second)),
    };
  return record;
}
