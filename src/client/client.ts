// The Herald client: one typed `call` per method of the API (JSON over `fetch`, the token as a
// Bearer header, an optional Request-ID), the envelope unwrapped into the payload or a
// HeraldError. It imports nothing but its own files, so it runs in Node and in browsers alike.
import type { TaskStatus } from './types.js';
import { HeraldError } from './errors.js';
import type { MethodName, ParamsOf, ResultOf } from './method-map.js';

export interface ClientOptions {
  /** Where the server is, e.g. `http://localhost:8080`; `''` (the default) is the page's own origin. */
  baseUrl?: string;
  /** The API token, sent as `Authorization: Bearer …`. */
  token?: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof fetch;
}

export interface CallOptions {
  /** A request key: a retried write with the same key is applied once (spec 01). */
  requestId?: string;
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** Between two tasks/status calls; default 500 ms. */
  intervalMs?: number;
  /** Give up after this long (a HeraldError with code 0); default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (status: TaskStatus) => void;
}

const API_PATH = '/api/v1.1/';

function envelopeOf(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class HeraldClient {
  readonly baseUrl: string;
  readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: ClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? '').replace(/\/+$/, '');
    this.token = opts.token;
    // Bound: a browser's fetch called as a method of another object throws "Illegal invocation".
    this.fetchImpl = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The same server with another token. */
  withToken(token: string): HeraldClient {
    return new HeraldClient({ baseUrl: this.baseUrl, token, fetch: this.fetchImpl });
  }

  /** Calls `method`; resolves with the payload (the envelope without error and error_text), or throws a HeraldError. */
  async call<N extends MethodName>(method: N, params: ParamsOf<N>, opts: CallOptions = {}): Promise<ResultOf<N>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (opts.requestId !== undefined) headers['request-id'] = opts.requestId;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${API_PATH}${method}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(params),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw new HeraldError(
        { code: 0, text: 'the server could not be reached', debug: err instanceof Error ? err.message : String(err) },
        { cause: err },
      );
    }
    const logId = res.headers.get('x-herald-log-id') ?? undefined;
    const text = await res.text();
    const envelope = envelopeOf(text);
    if (!envelope || typeof envelope.error !== 'number') {
      throw new HeraldError({
        code: res.status || 500,
        text: 'the answer is not a Herald envelope',
        debug: text.slice(0, 200),
        ...(logId ? { logId } : {}),
      });
    }
    if (envelope.error !== 0) {
      const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
      throw new HeraldError({
        code: envelope.error,
        text: String(envelope.error_text ?? ''),
        debug: String(envelope.error_debug ?? ''),
        ...(logId ? { logId } : {}),
        ...(Number.isFinite(retryAfter) ? { retryAfter } : {}),
      });
    }
    const { error: _error, error_text: _text, ...payload } = envelope;
    return payload as unknown as ResultOf<N>;
  }

  /** Polls tasks/status until the task is completed or failed; resolves with its last status. */
  async waitForTask(taskId: string, opts: WaitOptions = {}): Promise<TaskStatus> {
    const interval = opts.intervalMs ?? 500;
    const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
    for (;;) {
      const { data } = await this.call('tasks/status', { task_id: taskId }, opts.signal ? { signal: opts.signal } : {});
      opts.onProgress?.(data);
      if (data.status === 'completed' || data.status === 'failed') return data;
      if (Date.now() + interval > deadline)
        throw new HeraldError({
          code: 0,
          text: `task ${taskId} did not finish in time`,
          debug: `last status ${data.status}, ${data.progress}%`,
        });
      await sleep(interval, opts.signal);
    }
  }
}
