// What a console page gets: the API client, the parameters of its address (#/page?a=1), a way
// to move to another address, and error reporting (an expired or revoked token logs out).
import { HeraldError, type HeraldClient } from '../client/index.js';
import { h } from './dom.js';

export interface PageContext {
  client: HeraldClient;
  params: URLSearchParams;
  /** Goes to `#/<page>?<params>`. */
  navigate(page: string, params?: Record<string, string | number | undefined>): void;
  /** Shows an error above the page; a 401/403 ends the session. */
  fail(err: unknown): void;
}

/** Mounts a page into `root`; answers a function that stops its timers. */
export type Page = (root: HTMLElement, ctx: PageContext) => (() => void) | void;

export function errorText(err: unknown): string {
  if (err instanceof HeraldError)
    return `${err.code} ${err.text}${err.debug ? ` — ${err.debug}` : ''}${err.logId ? ` (log id ${err.logId})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

export const isAuthError = (err: unknown): boolean =>
  err instanceof HeraldError && (err.code === 401 || err.code === 403);

export const heading = (title: string, note?: string): HTMLElement =>
  h('header', { class: 'page-head' }, h('h1', {}, title), note ? h('p', { class: 'muted' }, note) : null);
