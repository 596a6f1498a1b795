// Which thread answers a request, by the kind of its method: the read methods (the registry's
// `write: false`) and the early token check go to the reader when there is one (SQLite), every
// other request — writes, unsubscribe links, readiness, metrics — to the engine.
import { methods } from '../core/methods.js';
import type { Dispatch, RawRequest } from '../http/raw-request.js';

export function isRead(req: RawRequest): boolean {
  if (req.route === 'token') return true;
  if (req.route !== undefined && req.route !== 'api') return false;
  return req.httpMethod === 'POST' && methods.get(req.method)?.write === false;
}

/** One dispatch over the engine and, when given, the reader. */
export function routeByMethodKind(engine: Dispatch, reader: Dispatch | undefined): Dispatch {
  if (!reader) return engine;
  return (req) => (isRead(req) ? reader(req) : engine(req));
}
