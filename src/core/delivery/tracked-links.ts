// Stored links (docs/TRACKING.md): the tracked links of a trigger's planned HTML (./tracked-html.ts)
// are stored once, by account, trigger, position and URL, and a click token names one by its id
// (a link part of 18 characters instead of one a third longer than the URL). A link row never
// changes, so what a process has seen of them is kept: the ids its workers drew, and the links
// its clicks looked up — a click of a link known here still redirects while the storage is out.
//
// Personalised links (a variable in the href) are not stored — there would be one per message —
// their click tokens carry the URL as before.
import type { LinkRefOf } from './tracking-token.js';

/** A tracked link of a trigger's HTML part: its position among the tracked links, and its URL. */
export interface TrackedLink {
  position: number;
  url: string;
}

export interface TrackedLinkStore {
  /**
   * The ids of these links of a trigger, in order: the stored link of the same position and URL,
   * or one stored now (committed when the promise resolves).
   */
  trackedLinkIds(accountId: number, triggerId: number, links: TrackedLink[]): Promise<number[]>;
  /** A stored link of an account's trigger by id; undefined when there is none. */
  findTrackedLink(accountId: number, triggerId: number, id: number): Promise<TrackedLink | undefined>;
}

/** The links of one trigger a process needs ids for. */
export interface TriggerLinks {
  accountId: number;
  triggerId: number;
  links: TrackedLink[];
}

/** Links kept in memory per process (each a URL and a few numbers). */
const MAX_KEPT = 50_000;

const keyOf = (accountId: number, triggerId: number) => `${accountId} ${triggerId}`;

/**
 * What a process knows of one store's links: ids by position and URL, links by id. The engine
 * keeps one for its delivery workers and its click route.
 */
export class LinkBook {
  /** By account and trigger, then position, then URL: the lookups of an email's links hash no new string. */
  private readonly ids = new Map<string, Map<number, Map<string, number>>>();
  private readonly links = new Map<string, TrackedLink>();
  private kept = 0;

  /** Draws the ids of the links not known yet: one store call per trigger that has any. */
  async prepare(store: TrackedLinkStore, wanted: TriggerLinks[]): Promise<void> {
    for (const w of wanted) {
      const known = this.ids.get(keyOf(w.accountId, w.triggerId));
      const missing = w.links.filter((l) => known?.get(l.position)?.get(l.url) === undefined);
      if (missing.length === 0) continue;
      const ids = await store.trackedLinkIds(w.accountId, w.triggerId, missing);
      missing.forEach((l, i) => this.remember(w.accountId, w.triggerId, ids[i]!, l));
    }
  }

  /** The ids this process knows for a trigger's links. */
  refOf(accountId: number, triggerId: number): LinkRefOf {
    const known = this.ids.get(keyOf(accountId, triggerId));
    return (position, url) => known?.get(position)?.get(url);
  }

  /** A stored link by id, when this process has seen it. */
  known(accountId: number, triggerId: number, id: number): TrackedLink | undefined {
    return this.links.get(`${accountId} ${triggerId} ${id}`);
  }

  remember(accountId: number, triggerId: number, id: number, link: TrackedLink): void {
    if (++this.kept > MAX_KEPT) {
      this.ids.clear();
      this.links.clear();
      this.kept = 1;
    }
    const key = keyOf(accountId, triggerId);
    let byPosition = this.ids.get(key);
    if (!byPosition) this.ids.set(key, (byPosition = new Map()));
    let byUrl = byPosition.get(link.position);
    if (!byUrl) byPosition.set(link.position, (byUrl = new Map()));
    byUrl.set(link.url, id);
    this.links.set(`${key} ${id}`, { position: link.position, url: link.url });
  }
}
