// Output of `herald token list` and `herald --version`.
import { readFileSync } from 'node:fs';
import type { TokenListing } from '../core/provisioning/tokens.js';

/** The version of package.json (dist/cli and src/cli are both two levels below it). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

const day = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

/** One line a token: hash prefix, account, role, created, status. Never the token (it is not stored). */
export function printTokens(tokens: TokenListing[], print: (line: string) => void): void {
  if (tokens.length === 0) {
    print('no tokens');
    return;
  }
  const rows = tokens.map((t) => [
    t.hash.slice(0, 12),
    String(t.accountId),
    t.role,
    day(t.createdAt),
    t.revokedAt === undefined ? 'active' : `revoked ${day(t.revokedAt)}`,
  ]);
  const head = ['HASH', 'ACCOUNT', 'ROLE', 'CREATED (UTC)', 'STATUS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) print(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '));
}
