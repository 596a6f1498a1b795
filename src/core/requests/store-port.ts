// Request keys (spec 01, request deduplication): a key is claimed with a short lease before the
// request runs, and its record (with the response to replay) is committed in the transaction
// of the request's effects.

export interface RequestScope {
  tokenHash: string;
  method: string;
  key: string;
}

/** A final response as it was sent, to be replayed byte for byte. */
export interface RecordedResponse {
  status: number;
  contentType: string;
  headers: Record<string, string>;
  body: string;
}

export type RequestClaim =
  | { kind: 'claimed'; claimToken: string }
  | { kind: 'replay'; response: RecordedResponse }
  /** `different`: another body or query; `in_progress`: the first request holds the lease; `unanswered`: applied, response lost. */
  | { kind: 'conflict'; reason: 'different' | 'in_progress' | 'unanswered' };

export interface RequestClaimInput {
  scope: RequestScope;
  accountId: number;
  /** Checksum of the method, body and query: a repeat must match it. */
  requestHash: string;
  now: number;
  leaseMs: number;
  /** How long the record answers repeats (spec: 24 hours). */
  keepMs: number;
}

export interface RequestKeyStore {
  claimRequestKey(input: RequestClaimInput): Promise<RequestClaim>;
  /** Forgets a pending claim (the request failed with 5xx): a retry may run. */
  releaseRequestKey(scope: RequestScope, claimToken: string): Promise<void>;
}

export interface RequestKeyTx {
  /**
   * Records the final response of a claimed key (null: the effects are committed, the response
   * is not known yet). False when the claim is no longer held (a retry took the key over).
   */
  completeRequestKey(scope: RequestScope, claimToken: string, response: RecordedResponse | null): Promise<boolean>;
}
