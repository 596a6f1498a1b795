// The key of a stored tracked link's URL (tracked_links.url_hash): URLs may be long, their index
// keys are not.
import { createHash } from 'node:crypto';
import type { TrackedLink } from '../../core/delivery/tracked-links.js';

export const urlHash = (url: string): string => createHash('sha256').update(url).digest('base64url');

/** The links as the stores' statements take them: [position, url hash, url]. */
export const linkRows = (links: TrackedLink[]): [number, string, string][] =>
  links.map((l) => [l.position, urlHash(l.url), l.url]);

/** The ids of `links`, in order, from the rows found for them. */
export function idsInOrder(links: TrackedLink[], rows: { id: number; position: number; url_hash: string }[]): number[] {
  const byKey = new Map(rows.map((r) => [`${r.position} ${r.url_hash}`, Number(r.id)]));
  return links.map((l) => {
    const id = byKey.get(`${l.position} ${urlHash(l.url)}`);
    if (id === undefined) throw new Error('a tracked link was not stored');
    return id;
  });
}
