// API tokens are stored as their SHA-256 only (spec 01); a token is shown once, when minted.
import { createHash, randomBytes } from 'node:crypto';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const mintToken = (): string => randomBytes(24).toString('base64url');

/** A random secret (unsubscribe signing key when HERALD_SECRET is not set). */
export const newSecret = (): string => randomBytes(32).toString('hex');
