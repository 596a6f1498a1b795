// The template grammar: `{namespace.path}` with namespace lead, subscription or apicontent, or
// exactly `{unsubscribe}`; a sender's request templates use message, subscription and lead.
// Other braces (CSS, inline JSON) are literal text, but an identifier-shaped token that is not
// a valid variable is refused when saved.
import { TemplateSyntaxError } from '../base/errors.js';

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'var'; namespace: string; path: string[] }
  | { kind: 'unsubscribe' };

const TOKEN = /\{([\p{L}\p{N}_]+)((?:\.[\p{L}\p{N}_]*)*)\}/gu;
/** `message`: a message template; `request`: a sender's request templates (the `http` sender's body, query, headers). */
export type Grammar = 'message' | 'request';
const NAMESPACES: Record<Grammar | 'any', ReadonlySet<string>> = {
  message: new Set(['lead', 'subscription', 'apicontent']),
  request: new Set(['message', 'subscription', 'lead']),
  any: new Set(['lead', 'subscription', 'apicontent', 'message']),
};

/** `any` (rendering) accepts every variable: each template was checked against its own grammar when saved. */
export function parseTemplate(source: string, grammar: Grammar | 'any' = 'message'): TemplatePart[] {
  const namespaces = NAMESPACES[grammar];
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of source.matchAll(TOKEN)) {
    const [token, namespace, rest] = m;
    const at = m.index ?? 0;
    if (at > last) parts.push({ kind: 'text', text: source.slice(last, at) });
    last = at + token.length;
    if (namespace === 'unsubscribe' && rest === '' && grammar !== 'request') {
      parts.push({ kind: 'unsubscribe' });
      continue;
    }
    if (!namespaces.has(namespace)) throw new TemplateSyntaxError(token, 'unknown variable namespace');
    const path = rest.split('.').slice(1);
    if (path.length === 0 || path.some((seg) => seg === '')) throw new TemplateSyntaxError(token, 'empty variable path');
    parts.push({ kind: 'var', namespace, path });
  }
  if (last < source.length) parts.push({ kind: 'text', text: source.slice(last) });
  return parts;
}

/** The first syntax problem of a template text, or undefined. */
export function templateProblem(source: string, grammar: Grammar = 'message'): string | undefined {
  try {
    parseTemplate(source, grammar);
    return undefined;
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err.message;
    throw err;
  }
}
