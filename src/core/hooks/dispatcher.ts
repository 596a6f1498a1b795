// Action hooks (spec 04): the durable event outbox is delivered to each hook in order, in
// batches of up to 100 events (every second, or at once when woken), signed with the hook's
// secret. A failing hook is retried with backoff for up to a day, then the batch moves to the
// dead-letter list and the hook goes on. One lease per hook keeps the order across processes.
import { createHmac } from 'node:crypto';
import type { CatalogCache } from '../catalog/cache.js';
import type { HookDef, HookEvent } from '../catalog/types.js';
import type { DeliveryStore, HookState, StoredEvent } from '../delivery/store-port.js';
import type { CoreMetrics } from '../monitoring/metrics-port.js';
import { PollLoop } from '../base/poll-loop.js';
import { hookWants } from '../catalog/hook-filters.js';
import type { Clock } from '../base/clock.js';

export type HookPostResult = { ok: true } | { ok: false; error: string; retryAfterMs?: number };

export interface HookTransport {
  post(url: string, body: string, headers: Record<string, string>): Promise<HookPostResult>;
}

export interface HookOptions {
  intervalMs: number;
  leaseMs: number;
  retryBaseMs: number;
  retryCapMs: number;
  /** How long a hook may fail before its oldest batch is dead-lettered (spec: 24 hours). */
  retryWindowMs: number;
}

export const defaultHookOptions: HookOptions = {
  intervalMs: 1000,
  leaseMs: 60_000,
  retryBaseMs: 1000,
  retryCapMs: 10 * 60_000,
  retryWindowMs: 24 * 3_600_000,
};

const BATCH = 100;
const SCAN = 500;

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function eventPayload(accountId: number, e: StoredEvent): Record<string, unknown> {
  return {
    event_type: e.type,
    event_date: new Date(e.createdAt).toISOString(),
    account_id: accountId,
    list_id: e.dbId,
    profile_id: e.profileId,
    ...(e.triggerId !== null ? { campaign_id: e.triggerId } : {}),
    ...e.payload,
    event_id: String(e.id),
  };
}

export interface HookDeps {
  store: DeliveryStore;
  clock: Clock;
  catalogs: CatalogCache;
  transport: HookTransport;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  metrics?: Pick<CoreMetrics, 'hookEvents'>;
}

export class HookDispatcher {
  private stopping = false;
  private readonly loop: PollLoop;
  delivered = 0;
  deadLettered = 0;

  constructor(
    private readonly deps: HookDeps,
    private readonly opts: HookOptions = defaultHookOptions,
  ) {
    this.loop = new PollLoop(
      async () => {
        await this.tick();
        return this.opts.intervalMs;
      },
      (err) => this.deps.log.error({ err }, 'hook round failed'),
      this.opts.intervalMs,
    );
  }

  /** Delivers what every hook has pending (as far as one lease goes). Returns events delivered. */
  async tick(): Promise<number> {
    let total = 0;
    for (const catalog of await this.deps.catalogs.all()) {
      for (const hook of catalog.hooks) total += await this.runHook(hook);
    }
    return total;
  }

  /** Delivers the hook's pending events under its lease, batch after batch, until done or failing. */
  private async runHook(hook: HookDef): Promise<number> {
    const { store, clock } = this.deps;
    const lease = await store.leaseHook(hook.id, clock.now(), this.opts.leaseMs);
    if (!lease) return 0;
    let cursor = lease.state.cursor;
    let count = 0;
    for (let round = 0; round < 20 && !this.stopping; round++) {
      const next = await this.nextBatch(hook, cursor);
      if (!next) break;
      if (next.batch.length === 0) {
        cursor = next.scanned;
        continue;
      }
      const result = await this.post(hook, next.batch);
      if (result.ok) {
        cursor = next.scanned;
        count += next.batch.length;
        continue;
      }
      await this.recordFailure(hook, lease, { cursor, count }, next, result);
      this.countDelivered(count);
      return count;
    }
    await store.finishHook(hook.id, lease.token, { kind: 'delivered', cursor, count }, clock.now());
    this.countDelivered(count);
    return count;
  }

  /** The hook's next events after `cursor` (up to BATCH it wants), and how far the scan got; undefined when none are left. */
  private async nextBatch(
    hook: HookDef,
    cursor: number,
  ): Promise<{ batch: StoredEvent[]; scanned: number } | undefined> {
    const events = await this.deps.store.listEvents(hook.accountId, cursor, SCAN);
    if (events.length === 0) return undefined;
    const batch: StoredEvent[] = [];
    let scanned = cursor;
    for (const e of events) {
      scanned = e.id;
      if (hookWants(hook, e.type as HookEvent, e)) {
        batch.push(e);
        if (batch.length === BATCH) break;
      }
    }
    return { batch, scanned };
  }

  private post(hook: HookDef, batch: StoredEvent[]) {
    const body = JSON.stringify(batch.map((e) => eventPayload(hook.accountId, e)));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (hook.secret) headers['x-herald-signature'] = signature(hook.secret, body);
    return this.deps.transport.post(hook.url, body, headers);
  }

  /**
   * A batch failed: what went through before is recorded (the failure then starts a fresh streak
   * under a new lease); the batch is retried with backoff, or dead-lettered once the hook has been
   * failing for longer than the retry window.
   */
  private async recordFailure(
    hook: HookDef,
    lease: { state: HookState; token: string },
    done: { cursor: number; count: number },
    failed: { batch: StoredEvent[]; scanned: number },
    result: { error: string; retryAfterMs?: number },
  ): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now();
    let token = lease.token;
    let firstFailureAt = lease.state.firstFailureAt ?? now;
    let attempts = lease.state.attempts;
    if (done.count > 0) {
      await store.finishHook(hook.id, token, { kind: 'delivered', cursor: done.cursor, count: done.count }, now);
      const again = await store.leaseHook(hook.id, now, this.opts.leaseMs);
      if (!again) return;
      token = again.token;
      firstFailureAt = now;
      attempts = 0;
    }
    if (now - firstFailureAt >= this.opts.retryWindowMs) {
      this.deadLettered += failed.batch.length;
      this.deps.metrics?.hookEvents('dead_lettered', failed.batch.length);
      this.deps.log.warn(
        { hook: hook.id, events: failed.batch.length, error: result.error },
        'hook failing for too long: events dead-lettered',
      );
      await store.finishHook(
        hook.id,
        token,
        { kind: 'dead', cursor: failed.scanned, eventIds: failed.batch.map((e) => e.id), error: result.error },
        now,
      );
      return;
    }
    const delay = Math.round(
      Math.max(
        Math.min(this.opts.retryCapMs, this.opts.retryBaseMs * 2 ** attempts) * (0.8 + 0.4 * Math.random()),
        result.retryAfterMs ?? 0,
      ),
    );
    await store.finishHook(
      hook.id,
      token,
      { kind: 'failed', error: result.error, nextAttemptAt: now + delay, firstFailureAt },
      now,
    );
  }

  private countDelivered(count: number): void {
    this.delivered += count;
    if (count > 0) this.deps.metrics?.hookEvents('delivered', count);
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
  }
}
