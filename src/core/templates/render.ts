// Rendering templates (spec 04): variables from the profile (`lead`), the receiving
// subscription and the request's `content` (`apicontent`), and the unsubscribe link. Values are
// HTML-escaped in HTML, left as they are in text; a missing value is empty; a value is never
// parsed again as a template.
import { parseTemplate, type TemplatePart } from './parse.js';

export interface RenderScope {
  lead: Record<string, unknown>;
  subscription: Record<string, unknown>;
  apicontent: Record<string, unknown>;
  unsubscribe: string;
}

/** The values of a sender's request templates. */
export interface RequestScope {
  message: Record<string, unknown>;
  subscription: Record<string, unknown>;
  lead: Record<string, unknown>;
}

const compiled = new Map<string, TemplatePart[]>();
const MAX_CACHED = 5000;

/** Parsed parts of a template text, cached (templates were validated when saved). */
export function partsOf(source: string): TemplatePart[] {
  let parts = compiled.get(source);
  if (!parts) {
    parts = parseTemplate(source, 'any');
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(source, parts);
  }
  return parts;
}

function lookup(root: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** How a value shows in a message: tags joined by ", ", objects as JSON, nothing for missing. */
export function displayValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number'))
    return value.join(', ');
  return JSON.stringify(value);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

export type RenderMode = 'html' | 'text' | 'header';

/** What a variable (or the unsubscribe link) shows as, escaped in HTML. */
export function renderValue(
  part: Exclude<TemplatePart, { kind: 'text' }>,
  scope: RenderScope | RequestScope,
  mode: RenderMode,
): string {
  const values = scope as unknown as Record<string, unknown>;
  const root = part.kind === 'unsubscribe' ? undefined : values[part.namespace];
  const raw =
    part.kind === 'unsubscribe'
      ? String(values.unsubscribe ?? '')
      : displayValue(root && typeof root === 'object' ? lookup(root as Record<string, unknown>, part.path) : undefined);
  return mode === 'html' ? escapeHtml(raw) : raw;
}

export function render(source: string | undefined, scope: RenderScope | RequestScope, mode: RenderMode): string {
  if (!source) return '';
  let out = '';
  for (const part of partsOf(source)) out += part.kind === 'text' ? part.text : renderValue(part, scope, mode);
  // A header (subject, names) never carries CR or LF: no header injection through values.
  return mode === 'header' ? out.replace(/[\r\n]+/g, ' ') : out;
}
