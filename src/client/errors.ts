// The error every failed call surfaces: the envelope's code and texts (spec 01) and the log id
// of the server's log line (X-Herald-Log-Id), so an operator can find the request.

export interface HeraldErrorInit {
  /** The envelope's `error` (equal to the HTTP status), or 0 when no answer arrived. */
  code: number;
  text: string;
  debug: string;
  logId?: string;
  /** 429: seconds to wait before retrying (Retry-After). */
  retryAfter?: number;
}

export class HeraldError extends Error {
  readonly code: number;
  readonly text: string;
  readonly debug: string;
  readonly logId: string | undefined;
  readonly retryAfter: number | undefined;

  constructor(init: HeraldErrorInit, options?: { cause?: unknown }) {
    super(`${init.code} ${init.text}${init.debug ? `: ${init.debug}` : ''}`, options);
    this.name = 'HeraldError';
    this.code = init.code;
    this.text = init.text;
    this.debug = init.debug;
    this.logId = init.logId;
    this.retryAfter = init.retryAfter;
  }
}

export const isHeraldError = (e: unknown): e is HeraldError => e instanceof HeraldError;
