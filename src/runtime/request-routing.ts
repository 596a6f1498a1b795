// Which thread answers a request, by the kind of its method: the read methods (the registry's
// `write: false`) and the early token check go to the reader when there is one (SQLite), every
// other request — writes, a read method's write form, unsubscribe links, readiness, metrics — to
// the engine.
import { methods } from '../core/methods.js';
import { isApiRequest, type ApiDispatch, type ApiRequest, type Dispatch } from '../http/raw-request.js';

export function isRead(req: ApiRequest): boolean {
  if (req.route === 'token') return true;
  const method = methods.get(req.method);
  if (req.httpMethod !== 'POST' || method?.write !== false) return false;
  // A request that may be the method's write form (a preview with test_email) goes to the writer,
  // which answers both forms: a body merely mentioning the name is a read the engine answers too.
  const body = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
  return !method.writeForm?.params.some((p) => body.includes(p));
}

/** One dispatch over the engine and, when given, the reader. */
export function routeByMethodKind(engine: Dispatch, reader: ApiDispatch | undefined): Dispatch {
  if (!reader) return engine;
  return (req) => (isApiRequest(req) && isRead(req) ? reader(req) : engine(req));
}
