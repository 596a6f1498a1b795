// Tracking in an email's HTML part (spec 07): every http(s) link is rewritten to the click
// endpoint — except the unsubscribe link and links marked `data-herald-notrack` — and a 1×1
// pixel is added before `</body>` (or at the end). Done at send time, on the rendered HTML.
import { REDIRECTABLE } from './tracking-token.js';

export interface RewriteOptions {
  /** The click URL of the link at `index` whose target is `url` (already decoded from HTML). */
  clickUrl?: (url: string, index: number) => string;
  /** The open pixel's URL. */
  pixelUrl?: string;
  /** Links to this URL are left alone (the unsubscribe link). */
  keep?: string;
}

export const ANCHOR = /<a\b[^>]*>/gi;
export const HREF = /(\shref\s*=\s*)("([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
export const NOTRACK = /\sdata-herald-notrack(\s|=|>|\/)/i;

/** The few character references that appear in URLs of HTML attributes. */
function decodeAttr(v: string): string {
  return v.replace(/&(amp|#38|#x26|quot|#34|apos|#39);/gi, (_m, e: string) => {
    const k = e.toLowerCase();
    if (k === 'quot' || k === '#34') return '"';
    if (k === 'apos' || k === '#39') return "'";
    return '&';
  });
}

export const encodeAttr = (v: string): string =>
  v.includes('&') || v.includes('"') ? v.replace(/&/g, '&amp;').replace(/"/g, '&quot;') : v;

/**
 * The URL of an href's value, decoded, or null when no redirect can carry it (whitespace, control
 * characters, another scheme): left as it is, untracked. Kept per value — a trigger's links come
 * back in every email, and the value's string (with its hash) is then the only work per link.
 */
const urls = new Map<string, string | null>();
const MAX_KEPT = 2048;
export function trackable(value: string): string | null {
  let url = urls.get(value);
  if (url === undefined) {
    const decoded = decodeAttr(value.trim());
    url = REDIRECTABLE.test(decoded) ? decoded : null;
    // Long values (personalised links can be) are not kept: the cache stays a few megabytes.
    if (value.length > MAX_KEPT) return url;
    if (urls.size >= 20_000) urls.clear();
    urls.set(value, url);
  }
  return url;
}

function rewriteAnchor(tag: string, opts: RewriteOptions, next: () => number): string {
  if (!opts.clickUrl || NOTRACK.test(tag)) return tag;
  const m = HREF.exec(tag);
  if (!m) return tag;
  const url = trackable(m[3] ?? m[4] ?? m[5] ?? '');
  if (url === null || url === opts.keep) return tag;
  const replaced = `${m[1]}"${encodeAttr(opts.clickUrl(url, next()))}"`;
  return tag.slice(0, m.index) + replaced + tag.slice(m.index + m[0].length);
}

/** The open pixel: a 1×1 image. */
export const pixelTag = (url: string): string =>
  `<img src="${encodeAttr(url)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`;

export function rewriteHtml(html: string, opts: RewriteOptions): string {
  let index = 0;
  let out = opts.clickUrl ? html.replace(ANCHOR, (tag) => rewriteAnchor(tag, opts, () => index++)) : html;
  if (opts.pixelUrl) {
    const pixel = pixelTag(opts.pixelUrl);
    const close = out.search(/<\/body\s*>/i);
    out = close >= 0 ? out.slice(0, close) + pixel + out.slice(close) : out + pixel;
  }
  return out;
}
