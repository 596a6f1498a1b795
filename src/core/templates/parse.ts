// The template grammar: `{namespace.path}` with namespace lead, subscription or apicontent, or
// exactly `{unsubscribe}`; a sender's request templates use message, subscription and lead.
// Other braces (CSS, inline JSON) are literal text. When a template is saved (templateProblem)
// the near misses are refused, naming them: an unknown namespace, an empty path, a variable left
// open (`{lead._fname`) or never opened (`lead._fname}`), doubled braces (`{{lead._fname}}`)
// and spaces inside the braces (`{ lead._fname }`). Rendering (parseTemplate) only reads
// variables; what was stored before the stricter rules keeps rendering as it did.
import { TemplateSyntaxError } from '../base/errors.js';

export type TemplatePart =
  { kind: 'text'; text: string } | { kind: 'var'; namespace: string; path: string[] } | { kind: 'unsubscribe' };

const TOKEN = /\{([\p{L}\p{N}_]+)((?:\.[\p{L}\p{N}_]*)*)\}/gu;
/** `message`: a message template; `request`: a sender's request templates (the `http` sender's body, query, headers). */
export type Grammar = 'message' | 'request';
export const NAMESPACES: Record<Grammar, readonly string[]> = {
  message: ['lead', 'subscription', 'apicontent'],
  request: ['message', 'subscription', 'lead'],
};
/** `{subscription.<key>}`: the receiving subscription (spec 04). */
export const SUBSCRIPTION_VARIABLES = [
  'email',
  'email_domain',
  'phone',
  'provider',
  'subscription_id',
  'channel',
  'resource_id',
] as const;
export type SubscriptionVariable = (typeof SUBSCRIPTION_VARIABLES)[number];
/** The one variable without a path, in message templates. */
export const UNSUBSCRIBE = 'unsubscribe';
export const ALL_NAMESPACES: ReadonlySet<string> = new Set([...NAMESPACES.message, ...NAMESPACES.request]);

/** `any` (rendering) accepts every variable: each template was checked against its own grammar when saved. */
export function parseTemplate(source: string, grammar: Grammar | 'any' = 'message'): TemplatePart[] {
  const namespaces = grammar === 'any' ? ALL_NAMESPACES : new Set(NAMESPACES[grammar]);
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of source.matchAll(TOKEN)) {
    const [token, namespace, rest] = m;
    const at = m.index ?? 0;
    if (at > last) parts.push({ kind: 'text', text: source.slice(last, at) });
    last = at + token.length;
    if (namespace === UNSUBSCRIBE && rest === '' && grammar !== 'request') {
      parts.push({ kind: 'unsubscribe' });
      continue;
    }
    if (!namespaces.has(namespace))
      throw new TemplateSyntaxError(token, 'unknown variable namespace', namespaceHint(namespace, rest, grammar));
    const path = rest.split('.').slice(1);
    if (path.length === 0 || path.some((seg) => seg === ''))
      throw new TemplateSyntaxError(token, 'empty variable path');
    parts.push({ kind: 'var', namespace, path });
  }
  if (last < source.length) parts.push({ kind: 'text', text: source.slice(last) });
  return parts;
}

function namespaceHint(namespace: string, rest: string, grammar: Grammar | 'any'): string {
  const known = grammar === 'any' ? [...ALL_NAMESPACES] : NAMESPACES[grammar];
  const near = rest === '' ? undefined : closest(namespace, known);
  return near ? `did you mean {${near}${rest}}?` : `the namespaces are ${known.join(', ')}`;
}

/** The nearest of `candidates` to `word` when it is a plausible typo of it (at most 2 edits, fewer than its length; a difference of case is nearest), else undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(2, word.length - 1) + 1;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0.5 : editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Edit distance with adjacent transpositions counted as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
