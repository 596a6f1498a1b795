// API tokens are stored as their SHA-256 only (spec 01); a token is shown once, when minted.
import { createHash, randomBytes } from 'node:crypto';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * A new token: a fixed `herald_` prefix (so a token never starts with '-' on a command line and secret
 * scanners can recognise it) and 192 random bits in base64url.
 */
export const mintToken = (): string => `herald_${randomBytes(24).toString('base64url')}`;

/** A random secret (unsubscribe signing key when HERALD_SECRET is not set). */
export const newSecret = (): string => randomBytes(32).toString('hex');

export type TokenRole = 'read' | 'write';

/** A stored token, as the API pipeline checks it. */
export interface TokenRecord {
  accountId: number;
  role: TokenRole;
  revoked: boolean;
  configVersion: number;
  /** Requests per second with a burst (spec 01, Limits and rate); absent = unlimited. */
  rateLimit?: { perSecond: number; burst: number };
}

/** A stored token as `herald token list` shows it: never the token, only its hash. */
export interface TokenListing {
  hash: string;
  accountId: number;
  role: TokenRole;
  createdAt: number;
  /** When it was revoked; absent while it is active. */
  revokedAt?: number;
}
