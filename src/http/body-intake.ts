// How the HTTP front takes a request body in: never past its size limit, never past the memory
// budget that all bodies being received or processed share (a declared length is reserved whole
// before a byte is read, a chunked body as it arrives; the reservation is held until the answer is
// sent, as the parsed body lives that long), and never slower than a minimum rate (a client that
// trickles a body holds a connection and its buffer for nothing).
import { Transform, type TransformCallback } from 'node:stream';
import { BodyOverBudget, BodyTooLarge, BodyTooSlow } from './errors.js';

/** Bytes of request bodies the process holds at once, shared by every request. */
export class BodyBudget {
  private used = 0;

  constructor(readonly bytes: number) {}

  get inUse(): number {
    return this.used;
  }

  /** A reservation of this budget for one request; it grows with take() and ends with release(). */
  lease(): BodyLease {
    let held = 0;
    let released = false;
    return {
      take: (n: number) => {
        if (released) return false;
        if (this.used + n > this.bytes) return false;
        this.used += n;
        held += n;
        return true;
      },
      get held() {
        return held;
      },
      release: () => {
        if (released) return;
        released = true;
        this.used -= held;
        held = 0;
      },
    };
  }
}

export interface BodyLease {
  /** Reserves `n` more bytes; false (and nothing reserved) when the budget cannot hold them. */
  take(n: number): boolean;
  readonly held: number;
  /** Gives the reservation back (idempotent). */
  release(): void;
}

export interface BodyGuardOptions {
  /** Largest body (bytes). */
  limit: number;
  /** The request's reservation: bytes beyond what it holds already are reserved as they arrive. */
  lease: BodyLease;
  /** Every window of this many milliseconds must bring at least minRate × window bytes (0 = no check). */
  windowMs: number;
  /** Bytes per second. */
  minRate: number;
}

/**
 * Passes the body through, failing the stream (the request is answered at once) when it passes
 * its limit (BodyTooLarge), outgrows the budget (BodyOverBudget) or arrives too slowly (BodyTooSlow).
 */
export function bodyGuard(opts: BodyGuardOptions): Transform {
  let seen = 0;
  let atLastCheck = 0;
  const needed = Math.max(1, Math.ceil((opts.minRate * opts.windowMs) / 1000));
  let timer: NodeJS.Timeout | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.length;
      if (seen > opts.limit) return cb(new BodyTooLarge('body too large'));
      if (seen > opts.lease.held && !opts.lease.take(seen - opts.lease.held))
        return cb(new BodyOverBudget('body over the memory budget'));
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      stop();
      cb();
    },
  });
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  if (opts.windowMs > 0) {
    timer = setInterval(() => {
      if (seen - atLastCheck < needed) {
        stop();
        stream.destroy(new BodyTooSlow(`the body arrived slower than ${opts.minRate} bytes per second`));
      }
      atLastCheck = seen;
    }, opts.windowMs);
    timer.unref();
  }
  stream.once('close', stop);
  return stream;
}

/**
 * Reads a (guarded) body into one buffer: allocated at its declared length when it has one, so a
 * large body is never held twice (chunks plus their concatenation) and can be moved, not copied,
 * to the engine thread.
 */
export function readBody(payload: NodeJS.ReadableStream, declared: number | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const whole = declared !== undefined && declared > 0 ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let n = 0;
    payload.on('data', (chunk: Buffer) => {
      if (whole) {
        // Node's parser never passes more than the Content-Length.
        if (n + chunk.length > whole.length) return reject(new Error('the body is longer than its Content-Length'));
        chunk.copy(whole, n);
      } else chunks.push(chunk);
      n += chunk.length;
    });
    payload.once('error', reject);
    payload.once('end', () =>
      resolve(whole ? (n === whole.length ? whole : whole.subarray(0, n)) : Buffer.concat(chunks, n)),
    );
  });
}
