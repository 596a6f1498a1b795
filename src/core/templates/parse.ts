// The template grammar of spec 04: `{namespace.path}` with namespace lead, subscription or
// apicontent, or exactly `{unsubscribe}`. Other braces (CSS, inline JSON) are literal text,
// but an identifier-shaped token that is not a valid variable is refused when saved.
import { TemplateSyntaxError } from '../base/errors.js';

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'var'; namespace: 'lead' | 'subscription' | 'apicontent'; path: string[] }
  | { kind: 'unsubscribe' };

const TOKEN = /\{([\p{L}\p{N}_]+)((?:\.[\p{L}\p{N}_]*)*)\}/gu;
const NAMESPACES = new Set(['lead', 'subscription', 'apicontent']);

export function parseTemplate(source: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of source.matchAll(TOKEN)) {
    const [token, namespace, rest] = m;
    const at = m.index ?? 0;
    if (at > last) parts.push({ kind: 'text', text: source.slice(last, at) });
    last = at + token.length;
    if (namespace === 'unsubscribe' && rest === '') {
      parts.push({ kind: 'unsubscribe' });
      continue;
    }
    if (!NAMESPACES.has(namespace)) throw new TemplateSyntaxError(token, 'unknown variable namespace');
    const path = rest.split('.').slice(1);
    if (path.length === 0 || path.some((seg) => seg === '')) throw new TemplateSyntaxError(token, 'empty variable path');
    parts.push({ kind: 'var', namespace: namespace as 'lead' | 'subscription' | 'apicontent', path });
  }
  if (last < source.length) parts.push({ kind: 'text', text: source.slice(last) });
  return parts;
}

/** The first syntax problem of a template text, or undefined. */
export function templateProblem(source: string): string | undefined {
  try {
    parseTemplate(source);
    return undefined;
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err.message;
    throw err;
  }
}
