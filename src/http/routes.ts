// Facts about method paths the HTTP front needs before a body is read (no core imports):
// the path prefix, and which methods take attachments and so the larger body limit.

export const API_PREFIX = '/api/v1.1/';

/** Methods that accept `attach` (spec 01: up to 100 MB, of which all but attachments ≤ 10 MB). */
export const ATTACH_METHODS: ReadonlySet<string> = new Set([
  'campaigns/triggers/import_and_start_batch',
  'campaigns/triggers/import_and_start',
  'campaigns/triggers/start',
  'campaigns/triggers/start_batch',
  'campaigns/triggers/import_and_start_batch_task',
  'campaigns/triggers/start_batch_task',
]);

/**
 * The method name of a request path, without prefix and trailing slash; undefined if not an API
 * path. Repeated slashes count as one (spec 01: clients joining a base URL ending in `/` with
 * `/method` send `/api/v1.1//databases/list`).
 */
export function methodOf(path: string): string | undefined {
  const q = path.indexOf('?');
  let p = (q >= 0 ? path.slice(0, q) : path).replace(/\/{2,}/g, '/');
  if (!p.startsWith(API_PREFIX)) return undefined;
  p = p.slice(API_PREFIX.length);
  if (p.endsWith('/')) p = p.slice(0, -1);
  return p;
}
