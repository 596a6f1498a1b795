// The early token check: before the HTTP front reads a large body, the token of the request's
// Authorization header or query is looked up (and its role matched to the method), so a request
// with an unknown or revoked token costs no body buffer and no parse. The normal pipeline checks
// the token again in its own order; this check only answers sooner.
import type { Store } from '../core/ports.js';
import { hashToken } from '../core/provisioning/tokens.js';
import { errorResponse, type RawResponse } from './envelope.js';
import { answersVerb } from '../core/api/define.js';
import { methods } from '../core/methods.js';
import { ApiError } from '../core/base/errors.js';
import { bearer, earlyFormat, type ApiRequest } from './raw-request.js';

/** 200 (read the body) or the error the request would get (404, 401, 403), in its format. */
export async function precheckToken(store: Pick<Store, 'findToken'>, req: ApiRequest): Promise<RawResponse> {
  const go: RawResponse = { status: 200, contentType: 'text/plain', body: '', headers: {} };
  const token = bearer(req.authorization) ?? (req.query.token || undefined);
  if (!token) return go;
  const method = methods.get(req.method);
  let refusal: ApiError | undefined;
  try {
    // The pipeline's first check: an unknown method is a 404 whatever the body and token.
    if (!method || !answersVerb(method, req.httpMethod))
      refusal = new ApiError(404, `no method ${req.httpMethod} /api/v1.1/${req.method}`);
    else {
      const record = await store.findToken(hashToken(token));
      if (!record || record.revoked) refusal = new ApiError(401, 'the API token is unknown or revoked');
      else if (method.write && record.role !== 'write')
        refusal = new ApiError(403, `a ${record.role} token cannot call ${method.name}`);
    }
  } catch {
    // The storage did not answer: the request goes its normal way (which reports that itself).
    return go;
  }
  if (!refusal) return go;
  const r = errorResponse(refusal, earlyFormat(req.query, req.contentType));
  return { ...r, headers: { ...r.headers, 'x-herald-log-id': req.logId } };
}
