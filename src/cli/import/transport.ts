// Where the batches go. Either way a batch is the same JSON request of the public API with a
// request key: over HTTP to a running server (--url, --token), or to the API pipeline of an
// engine opened in this process on the configured storage (engine.dispatch: the same parsing,
// token, request-key and method code as `herald serve`, in an engine thread as there).
import { createHmac, randomBytes } from 'node:crypto';
import { ConfigError, type Config } from '../../config.js';
import { hashToken, newSecret } from '../../core/provisioning/tokens.js';
import { startEngineThread, type EngineThread, type HeapLimits } from '../../runtime/engine-thread.js';
import { IMPORT_SQLITE_CACHE_MB, importHeap } from './memory.js';
import type { ApiRequest } from '../../http/raw-request.js';
import type { RawResponse } from '../../http/envelope.js';
import { openStore } from '../../runtime/open-store.js';
import type { Store } from '../../core/ports.js';
import { ImportFailure, TransportError } from './errors.js';

export interface ApiAnswer {
  status: number;
  json: Record<string, unknown>;
  /** Seconds, from a Retry-After header. */
  retryAfter?: number;
}

export interface ApiTransport {
  call(method: string, body: Uint8Array, requestKey?: string): Promise<ApiAnswer>;
  /** Ends the import session (a local import's session token is revoked). */
  endSession(): Promise<void>;
  close(): Promise<void>;
}

const HTTP_TIMEOUT_MS = 300_000;

function answer(status: number, text: string, retryAfter: string | null | undefined): ApiAnswer {
  let json: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    json =
      parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : { error_debug: text.slice(0, 500) };
  } catch {
    json = { error: status, error_debug: text.slice(0, 500) };
  }
  const seconds = retryAfter ? Number(retryAfter) : NaN;
  return { status, json, ...(Number.isFinite(seconds) ? { retryAfter: seconds } : {}) };
}

export function httpTransport(url: string, token: string): ApiTransport {
  return {
    async call(method, body, requestKey) {
      let res: Response;
      try {
        res = await fetch(`${url}/api/v1.1/${method}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            ...(requestKey ? { 'request-id': requestKey } : {}),
          },
          body,
          signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
        });
      } catch (err) {
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        throw new TransportError(
          `${url}: ${err instanceof Error ? err.message : String(err)}${cause ? ` (${cause})` : ''}`,
        );
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw new TransportError(
          `${url}: the answer was cut off (${err instanceof Error ? err.message : String(err)})`,
        );
      }
      return answer(res.status, text, res.headers.get('retry-after'));
    },
    async endSession() {},
    async close() {},
  };
}

/**
 * The local session's write token: derived from the server secret and the session id, so a
 * resumed import finds the token (and so the request keys) of the run it continues, and nothing
 * secret is written next to the file. It is revoked when the session ends cleanly.
 */
function sessionToken(secret: string, session: string): string {
  return `herald-import.${createHmac('sha256', secret).update(`herald import session ${session}`).digest('base64url')}`;
}

type LocalOptions = {
  trigger?: number;
  db?: number;
  session: string;
  staleSession?: string;
  logLevel: string;
  /** Rows a batch: the engine thread's heap is sized from it. */
  batchSize: number;
};

export async function localTransport(config: Readonly<Config>, opts: LocalOptions): Promise<ApiTransport> {
  // An import's SQLite connections cache less and map nothing (memory.ts).
  const lean: Readonly<Config> = {
    ...config,
    sqliteCacheMb: Math.min(config.sqliteCacheMb, IMPORT_SQLITE_CACHE_MB),
    sqliteMmapMb: 0,
  };
  // This process's own handle on the storage, for the session token only.
  const store = await openStore(lean);
  let created: string | undefined;
  try {
    const account = await importAccount(store, opts);
    const secret = config.secret ?? (await store.ensureSetting('secret', newSecret));
    const token = sessionToken(secret, opts.session);
    const hash = hashToken(token);
    const found = await store.findToken(hash);
    if (!found) {
      await store.createToken(hash, account, 'write', Date.now());
      created = hash;
    } else if (found.revoked || found.accountId !== account)
      throw new ConfigError('the import session in the progress file was closed: run again with --restart');
    if (opts.staleSession) await store.revokeToken(hashToken(sessionToken(secret, opts.staleSession)));

    // The engine runs in its own thread, as under `herald serve`: it parses and commits a batch
    // while this thread reads the next one. No delivery loops (herald serve or herald worker send
    // what the import schedules), no provisioning: the import works on the storage as it is.
    const cfg = Object.freeze({ ...lean, workers: 0, provision: undefined, logLevel: opts.logLevel });
    return await engineTransport(cfg, store, token, hash, importHeap(opts.batchSize));
  } catch (err) {
    if (created) await store.revokeToken(created).catch(() => {});
    await store.close();
    throw err;
  }
}

/** The account of the trigger or database imported into (its storage migrated first). */
async function importAccount(store: Store, opts: LocalOptions): Promise<number> {
  await store.migrate();
  const owners = await store.describeOwnership();
  const account = opts.trigger !== undefined ? owners.triggers.get(opts.trigger) : owners.databases.get(opts.db ?? 0);
  if (account === undefined)
    throw new ConfigError(
      opts.trigger !== undefined ? `trigger ${opts.trigger} does not exist` : `database ${opts.db} does not exist`,
    );
  return account;
}

/** The API of an engine thread started on `cfg`, called with the session's token (`hash` is revoked at the end). */
async function engineTransport(
  cfg: Readonly<Config>,
  store: Store,
  token: string,
  hash: string,
  heap: HeapLimits,
): Promise<ApiTransport> {
  // A dead engine thread may have committed the batch it held: that batch is in doubt. (No
  // Promise.race with a never-settling promise here: each race would stay attached to it.)
  let dead: ImportFailure | undefined;
  const waiting = new Set<(err: Error) => void>();
  const died = (err: Error) => {
    dead = new ImportFailure(`the engine thread failed: ${err.message}`, true);
    for (const fail of waiting) fail(dead);
  };
  const thread: EngineThread = await startEngineThread(cfg, (err) => died(err), { logToStderr: true, heap });
  let ended = false;
  return {
    async call(method, body, requestKey) {
      if (dead) throw dead;
      const req = apiRequest(method, body, token, requestKey);
      const res = await new Promise<RawResponse>((resolve, reject) => {
        waiting.add(reject);
        thread
          .dispatch(req)
          .then(resolve, reject)
          .finally(() => waiting.delete(reject));
      });
      return answer(res.status, res.body, res.headers['retry-after']);
    },
    async endSession() {
      if (ended) return;
      ended = true;
      await store.revokeToken(hash);
    },
    async close() {
      if (!dead) await thread.close();
      await store.close();
    },
  };
}

function apiRequest(method: string, body: Uint8Array, token: string, requestKey: string | undefined): ApiRequest {
  return {
    route: 'api',
    method,
    httpMethod: 'POST',
    // A copy: the thread takes over the bytes it is given, and a retry sends them again.
    body: Buffer.from(body),
    contentType: 'application/json',
    query: {},
    authorization: `Bearer ${token}`,
    ...(requestKey ? { requestId: requestKey } : {}),
    logId: randomBytes(8).toString('hex'),
  };
}
