// Every failure Herald reports, with the Altcraft error codes and fixed texts of spec 01.
// The core throws ApiError for request-level failures; it never picks an HTTP status itself
// (the envelope maps code → status in one place).

export type ErrorCode = 400 | 401 | 403 | 404 | 408 | 409 | 429 | 500 | 503;

export const errorTexts: Record<ErrorCode, string> = {
  400: 'Invalid request',
  401: 'Invalid API token',
  403: 'Access denied',
  404: 'Not found',
  408: 'Request timeout',
  409: 'Conflict',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

export const TOKEN_REQUIRED_TEXT = 'API token required';

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly debug: string;
  readonly text: string;
  /** Seconds a client should wait before retrying (429, 503). */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, debug: string, options: { text?: string; retryAfter?: number } = {}) {
    super(debug);
    this.name = 'ApiError';
    this.code = code;
    this.debug = debug;
    this.text = options.text ?? errorTexts[code];
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}

export const invalid = (debug: string): ApiError => new ApiError(400, debug);
export const notFound = (debug: string): ApiError => new ApiError(404, debug);

/** A per-item failure inside a batch: reported in `errors`, never thrown past the batch. */
export interface ItemError {
  index: number;
  error: 400 | 404;
  error_text: string;
  error_debug: string;
}

export function itemError(index: number, err: ApiError): ItemError {
  const code = err.code === 404 ? 404 : 400;
  return { index, error: code, error_text: errorTexts[code], error_debug: err.debug };
}

/** Thrown while decoding a value: `path` is filled in as the error climbs out of nested decoders. */
export class DecodeError extends Error {
  path: string[];
  readonly reason: string;
  constructor(reason: string, path: string[] = []) {
    super(reason);
    this.name = 'DecodeError';
    this.reason = reason;
    this.path = path;
  }

  /** Prepend a key (`data`) or index (`[3]`) as the error leaves a container. */
  at(segment: string | number): DecodeError {
    this.path.unshift(typeof segment === 'number' ? `[${segment}]` : segment);
    return this;
  }

  pathText(prefix?: string): string {
    let out = prefix ?? '';
    for (const seg of this.path) {
      if (seg.startsWith('[')) out += seg;
      else out += out ? `.${seg}` : seg;
    }
    return out;
  }

  toApiError(prefix?: string): ApiError {
    const where = this.pathText(prefix);
    return invalid(where ? `${where}: ${this.reason}` : this.reason);
  }
}

/** Runs a decoder step, adding `segment` to the path of a DecodeError thrown inside. */
export function within<T>(segment: string | number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DecodeError) throw err.at(segment);
    throw err;
  }
}

/** Thrown by a store when the database cannot be reached: the API answers 503. */
export class StoreUnavailable extends Error {
  readonly code = 'HERALD_UNAVAILABLE';
}

/** The account's configuration changed while a request was applied (nothing written): it is checked again. */
export class CatalogChanged extends Error {
  /** `version`: the configuration's version now, when known. */
  constructor(readonly version?: number) {
    super('the account configuration changed while the request was being applied');
  }
}

/** A task's lease passed to another runner while a chunk ran: the chunk's effects must not commit. */
export class LeaseLost extends Error {}

/** A message that cannot be composed (its template or content is broken): a permanent failure of that message. */
export class ComposeError extends Error {}

/** A template that does not parse: `token` is the offending part; `hint` says how to write it. */
export class TemplateSyntaxError extends Error {
  constructor(
    readonly token: string,
    reason: string,
    hint?: string,
  ) {
    super(`${reason}: ${token}${hint ? `; ${hint}` : ''}`);
    this.name = 'TemplateSyntaxError';
  }
}

/** A provisioning file with problems: every one of them, nothing applied. */
export class ProvisioningError extends Error {
  constructor(readonly problems: string[]) {
    super(`the provisioning file has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ProvisioningError';
  }
}
