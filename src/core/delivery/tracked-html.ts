// The tracked HTML part, planned once per template text (spec 07). Rewriting links after rendering
// (./link-rewrite.ts) scans every email's whole HTML for anchors and parses each href again, for
// links that are the same in every email. A template's anchors are all in its text: a variable's
// value is HTML-escaped, so it can neither open a tag nor close one. So where every anchor of a
// template has its href in the text (or is the unsubscribe link), the rewrite is done once, on the
// template: the plan is the template's text with each tracked link and the pixel as a slot, and an
// email is the plan with its values, its click URLs and its pixel filled in — the same HTML the
// rewrite after rendering makes (the tests compare the two), without the scan.
//
// A template with an anchor whose tag holds a variable other than a whole `{unsubscribe}` href
// (a personalised link, a variable attribute) has no plan: its emails are rewritten after rendering.
import type { TemplatePart } from '../templates/parse.js';
import { partsOf, renderValue, type RenderScope } from '../templates/render.js';
import { ANCHOR, encodeAttr, HREF, NOTRACK, pixelTag, trackable, type RewriteOptions } from './link-rewrite.js';

type Value = Exclude<TemplatePart, { kind: 'text' }>;

type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'value'; part: Value }
  /** A tracked link: `original` is its `href=` and value as the template has them, `lead` the `href=` part. */
  | { kind: 'link'; link: number; url: string; lead: string; original: string }
  | { kind: 'pixel' };

/** Where a value stands in the text a plan is made from (no template text holds it). */
const SLOT = '\u0000';
const BODY_END = /<\/body\s*>/i;

const plans = new Map<string, Segment[] | null>();
const MAX_PLANS = 2000;

/** The plan of an HTML template, or null when its emails are rewritten after rendering. */
export function planOf(source: string): Segment[] | null {
  let plan = plans.get(source);
  if (plan === undefined) {
    plan = makePlan(partsOf(source));
    if (plans.size >= MAX_PLANS) plans.clear();
    plans.set(source, plan);
  }
  return plan;
}

function makePlan(parts: TemplatePart[]): Segment[] | null {
  const values: Value[] = [];
  let text = '';
  for (const p of parts) {
    if (p.kind !== 'text') {
      values.push(p);
      text += SLOT;
    } else if (p.text.includes(SLOT)) return null;
    else text += p.text;
  }
  // Cuts of the text: [start, end, what goes there instead].
  const cuts: [number, number, Segment][] = [];
  let link = 0;
  for (const m of text.matchAll(ANCHOR)) {
    const tag = m[0];
    const at = m.index;
    if (!tag.includes(SLOT)) {
      if (NOTRACK.test(tag)) continue;
      const h = HREF.exec(tag);
      if (!h) continue;
      const url = trackable(h[3] ?? h[4] ?? h[5] ?? '');
      if (url === null) continue;
      const start = at + h.index;
      cuts.push([start, start + h[0].length, { kind: 'link', link: link++, url, lead: h[1]!, original: h[0] }]);
      continue;
    }
    // The one variable an anchor may hold: the whole href being the unsubscribe link (never tracked).
    const h = HREF.exec(tag);
    const value = h ? (h[3] ?? h[4] ?? h[5] ?? '') : '';
    const slots = tag.split(SLOT).length - 1;
    if (slots !== 1 || value.trim() !== SLOT || values[slotIndex(text, at + tag.indexOf(SLOT))]?.kind !== 'unsubscribe')
      return null;
  }
  // A value can hold letters and spaces: after "<", "</" or the start of a tag name ("<{…}",
  // "</bo{…}", "</body {…}") it could complete an anchor or a </body> the text does not show.
  if (/<\/?[a-z]*\s*\u0000/i.test(text)) return null;
  const body = BODY_END.exec(text);
  const pixelAt = body ? body.index : text.length;
  // The pixel goes before the first </body>: no plan when that is inside a rewritten href.
  if (cuts.some(([start, end]) => start < pixelAt && pixelAt < end)) return null;
  cuts.push([pixelAt, pixelAt, { kind: 'pixel' }]);
  cuts.sort((a, b) => a[0] - b[0] || (a[1] === a[0] ? -1 : 1));
  const out: Segment[] = [];
  let pos = 0;
  let slot = 0;
  const plain = (from: number, to: number) => {
    const pieces = text.slice(from, to).split(SLOT);
    pieces.forEach((piece, i) => {
      if (i > 0) out.push({ kind: 'value', part: values[slot++]! });
      if (piece) out.push({ kind: 'text', text: piece });
    });
  };
  for (const [start, end, segment] of cuts) {
    plain(pos, start);
    out.push(segment);
    pos = end;
  }
  plain(pos, text.length);
  return out;
}

/** The index among the values of the slot at `at`. */
function slotIndex(text: string, at: number): number {
  let n = 0;
  for (let i = text.indexOf(SLOT); i >= 0 && i < at; i = text.indexOf(SLOT, i + 1)) n++;
  return n;
}

/** An email's HTML from the plan: its values, its click URLs and its pixel (as `opts` asks). */
export function renderPlan(plan: Segment[], scope: RenderScope, opts: RewriteOptions): string {
  let out = '';
  for (const s of plan) {
    if (s.kind === 'text') out += s.text;
    else if (s.kind === 'value') out += renderValue(s.part, scope, 'html');
    else if (s.kind === 'link')
      out += opts.clickUrl ? `${s.lead}"${encodeAttr(opts.clickUrl(s.url, s.link))}"` : s.original;
    else if (opts.pixelUrl) out += pixelTag(opts.pixelUrl);
  }
  return out;
}
