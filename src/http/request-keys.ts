// Request deduplication (spec 01). A write method's request key — the Request-ID (or
// X-Request-ID) header or the request_id query parameter; with HERALD_DEDUP_CHECKSUM, a checksum
// of the request when no key is given — is claimed with a short lease before the request runs.
// Its record, holding the final response, is written by the dispatcher in the transaction of the
// request's effects, so both commit together; a repeat within 24 hours with the same body and
// query gets that response byte for byte with the Duplicate-* headers. Another body, or the first
// request still running, is a 409; a 5xx gives the key back.
import { createHash } from 'node:crypto';
import { ApiError } from '../core/base/errors.js';
import { LIMITS } from '../core/base/limits.js';
import type { RecordedResponse, RequestKeyStore, RequestKeyTx, RequestScope } from '../core/requests/store-port.js';
import type { RawResponse } from './envelope.js';
import { KeyTakenOver } from './errors.js';
import type { ApiRequest } from './raw-request.js';

/** How long a crashed request blocks its key (the next try after it runs). */
export const KEY_LEASE_MS = 30_000;
/** How long a key answers repeats (spec 01). */
export const KEY_KEEP_MS = 24 * 3_600_000;
const MAX_KEY_LENGTH = LIMITS.requestIdLength;

/** The checksum a repeat must match: method, query (sorted) and body. */
export function requestHash(req: Pick<ApiRequest, 'method' | 'query' | 'body'>): string {
  const h = createHash('sha256').update(req.method).update('\n');
  for (const k of Object.keys(req.query).sort()) h.update(`${k}=${req.query[k]}&`);
  return h.update('\n').update(req.body).digest('hex');
}

/** The request's key, or undefined when it has none (and checksum mode is off). */
export function requestKeyOf(
  req: Pick<ApiRequest, 'requestId' | 'query'>,
  hash: () => string,
  checksum: boolean,
): string | undefined {
  const given = (req.requestId ?? req.query.request_id ?? '').trim();
  if (given === '') return checksum ? `sha256:${hash()}` : undefined;
  // The key is echoed in response headers: printable ASCII only.
  if (given.length > MAX_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(given))
    throw new ApiError(400, `Request-ID: expected 1 to ${MAX_KEY_LENGTH} printable ASCII characters`);
  return given;
}

const isFinal = (status: number): boolean => status < 500 && status !== 429;

type KeyStore = RequestKeyStore & { transaction<T>(fn: (tx: RequestKeyTx) => Promise<T>): Promise<T> };

const recorded = (response: RawResponse): RecordedResponse => {
  const { 'x-herald-log-id': _logId, ...headers } = response.headers;
  return { status: response.status, contentType: response.contentType, headers, body: response.body };
};

export class KeyedRequest {
  private constructor(
    private readonly store: KeyStore,
    private readonly scope: RequestScope,
    private readonly claimToken: string,
  ) {}

  /** Claims the key: a KeyedRequest to run the request with, or the response to replay; 409 on conflict. */
  static async begin(
    store: KeyStore,
    input: { scope: RequestScope; accountId: number; requestHash: string; now: number; logId: string },
  ): Promise<KeyedRequest | { replay: RawResponse }> {
    const { scope } = input;
    const claim = await store.claimRequestKey({
      scope,
      accountId: input.accountId,
      requestHash: input.requestHash,
      now: input.now,
      leaseMs: KEY_LEASE_MS,
      keepMs: KEY_KEEP_MS,
    });
    switch (claim.kind) {
      case 'claimed':
        return new KeyedRequest(store, scope, claim.claimToken);
      case 'replay': {
        const r = claim.response;
        const dup = {
          'duplicate-key': scope.key,
          'duplicate-request': 'true',
          'x-duplicate-key': scope.key,
          'x-duplicate-request': 'true',
        };
        return {
          replay: {
            status: r.status,
            contentType: r.contentType,
            body: r.body,
            headers: { ...r.headers, 'x-herald-log-id': input.logId, ...dup },
          },
        };
      }
      case 'conflict':
        throw new ApiError(
          409,
          claim.reason === 'different'
            ? `request key ${JSON.stringify(scope.key)} was used with another body or query in the last 24 hours`
            : claim.reason === 'in_progress'
              ? `the request with key ${JSON.stringify(scope.key)} is still being processed; retry later`
              : `the request with key ${JSON.stringify(scope.key)} was applied, but its response was not recorded; it is not run again`,
        );
    }
  }

  /** Records the success response in the request's transaction `tx`, so it commits with the effects. */
  async record(tx: RequestKeyTx, response: RawResponse): Promise<void> {
    if (!(await tx.completeRequestKey(this.scope, this.claimToken, recorded(response)))) {
      throw new KeyTakenOver(
        409,
        `request key ${JSON.stringify(this.scope.key)} was taken over by a retry of this request`,
      );
    }
  }

  /**
   * Ends a request that failed (nothing of it committed): a final answer (4xx) is recorded on its
   * own, to be replayed; otherwise (5xx, 429, a key taken over) the key is given back for a retry.
   */
  async failed(response: RawResponse, err: unknown): Promise<void> {
    if (isFinal(response.status) && !(err instanceof KeyTakenOver)) {
      await this.store.transaction(async (tx) => {
        await tx.completeRequestKey(this.scope, this.claimToken, recorded(response));
      });
      return;
    }
    await this.store.releaseRequestKey(this.scope, this.claimToken);
  }
}
