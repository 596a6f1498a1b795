// Per-token rate limits (spec 01, Limits and rate): a token bucket per token hash, `burst`
// requests deep, refilled at `perSecond`. The buckets live in memory shared by the threads that
// answer the API (the engine thread, and on SQLite the reader thread that answers reads), so a
// token's reads and writes draw on one bucket; with several API processes each enforces the
// limit on its own share. A table of fixed size in a SharedArrayBuffer, under a spin lock.
import { createHash } from 'node:crypto';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Slots of the table (a power of two) and the buckets kept before idle ones are dropped. */
const SLOTS = 16_384;
const MAX_BUCKETS = 10_000;
/** A bucket untouched this long has refilled for any limit of at least burst/60 per second. */
const IDLE_MS = 60_000;
/** Header: the lock and the bucket count (Int32), padded to 16 bytes; then 32 bytes a slot. */
const HEADER = 16;
const SLOT = 32;

export class RateLimiter {
  private readonly state: Int32Array;
  /** Per slot, 8 words: the key (4), then tokens and time as two float64 (the rest). */
  private readonly keys: Uint32Array;
  private readonly numbers: Float64Array;

  /** Buckets in `shared` (from sharedMemory(), handed to every thread), or in memory of its own. */
  constructor(readonly shared: SharedArrayBuffer = RateLimiter.sharedMemory()) {
    this.state = new Int32Array(shared, 0, 2);
    this.keys = new Uint32Array(shared, HEADER, (SLOTS * SLOT) / 4);
    this.numbers = new Float64Array(shared, HEADER, (SLOTS * SLOT) / 8);
  }

  static sharedMemory(): SharedArrayBuffer {
    return new SharedArrayBuffer(HEADER + SLOTS * SLOT);
  }

  /** Takes one request from the token's bucket: undefined when allowed, else the seconds to wait (Retry-After). */
  take(key: string, limit: RateLimit, now: number): number | undefined {
    const words = keyWords(key);
    this.lock();
    try {
      let slot = this.find(words);
      if (slot < 0) {
        if (this.state[1] >= MAX_BUCKETS) this.prune(now);
        slot = this.insert(words, Math.max(1, limit.burst), now);
      }
      const capacity = Math.max(1, limit.burst);
      const t = slot * 4 + 2;
      let tokens = Math.min(
        capacity,
        this.numbers[t] + (Math.max(0, now - this.numbers[t + 1]) / 1000) * limit.perSecond,
      );
      this.numbers[t + 1] = now;
      if (tokens >= 1) {
        tokens -= 1;
        this.numbers[t] = tokens;
        return undefined;
      }
      this.numbers[t] = tokens;
      return Math.max(1, Math.ceil((1 - tokens) / limit.perSecond));
    } finally {
      this.unlock();
    }
  }

  private lock(): void {
    // Held for a few hundred nanoseconds: a short wait, not a queue.
    while (Atomics.compareExchange(this.state, 0, 0, 1) !== 0) Atomics.wait(this.state, 0, 1, 1);
  }

  private unlock(): void {
    Atomics.store(this.state, 0, 0);
    Atomics.notify(this.state, 0, 1);
  }

  /** The slot holding `words`, or -1. */
  private find(words: Uint32Array): number {
    for (let i = words[1] & (SLOTS - 1), n = 0; n < SLOTS; i = (i + 1) & (SLOTS - 1), n++) {
      const k = i * 8;
      if (this.keys[k] === 0) return -1;
      if (
        this.keys[k] === words[0] &&
        this.keys[k + 1] === words[1] &&
        this.keys[k + 2] === words[2] &&
        this.keys[k + 3] === words[3]
      )
        return i;
    }
    return -1;
  }

  private insert(words: Uint32Array, tokens: number, at: number): number {
    let i = words[1] & (SLOTS - 1);
    while (this.keys[i * 8] !== 0) i = (i + 1) & (SLOTS - 1);
    this.keys.set(words, i * 8);
    this.numbers[i * 4 + 2] = tokens;
    this.numbers[i * 4 + 3] = at;
    this.state[1]++;
    return i;
  }

  /** Drops the buckets idle long enough to be full again (all of them if that is not enough). */
  private prune(now: number): void {
    const kept: { words: Uint32Array; tokens: number; at: number }[] = [];
    for (let i = 0; i < SLOTS; i++) {
      if (this.keys[i * 8] === 0) continue;
      const at = this.numbers[i * 4 + 3];
      if (now - at <= IDLE_MS)
        kept.push({ words: this.keys.slice(i * 8, i * 8 + 4), tokens: this.numbers[i * 4 + 2], at });
    }
    this.keys.fill(0);
    this.state[1] = 0;
    if (kept.length >= MAX_BUCKETS) return;
    for (const b of kept) this.insert(b.words, b.tokens, b.at);
  }
}

/** 128 bits of the key's SHA-256, never all zero (an empty slot). */
function keyWords(key: string): Uint32Array {
  const digest = createHash('sha256').update(key).digest();
  const words = new Uint32Array(4);
  for (let i = 0; i < 4; i++) words[i] = digest.readUInt32LE(i * 4);
  words[0] |= 1;
  return words;
}
