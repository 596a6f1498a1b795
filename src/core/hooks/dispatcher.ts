// Action hooks (spec 04): the durable event outbox is delivered to each hook in order, in
// batches of up to 100 events (every second, or at once when woken), signed with the hook's
// secret. A failing hook is retried with backoff for up to a day, then the batch moves to the
// dead-letter list and the hook goes on. One lease per hook keeps the order across processes.
import { createHmac } from 'node:crypto';
import type { CatalogCache } from '../catalog/cache.js';
import type { HookDef, HookEvent } from '../catalog/types.js';
import type { DeliveryStore, StoredEvent } from '../delivery/store-port.js';
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

export const defaultHookOptions: HookOptions = { intervalMs: 1000, leaseMs: 60_000, retryBaseMs: 1000, retryCapMs: 10 * 60_000, retryWindowMs: 24 * 3_600_000 };

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

  private async runHook(hook: HookDef): Promise<number> {
    const { store, clock, transport } = this.deps;
    const lease = await store.leaseHook(hook.id, clock.now(), this.opts.leaseMs);
    if (!lease) return 0;
    let cursor = lease.state.cursor;
    let count = 0;
    for (let round = 0; round < 20 && !this.stopping; round++) {
      const events = await store.listEvents(hook.accountId, cursor, SCAN);
      if (events.length === 0) break;
      const batch: StoredEvent[] = [];
      let scanned = cursor;
      for (const e of events) {
        scanned = e.id;
        if (hookWants(hook, e.type as HookEvent, e)) {
          batch.push(e);
          if (batch.length === BATCH) break;
        }
      }
      if (batch.length === 0) {
        cursor = scanned;
        continue;
      }
      const body = JSON.stringify(batch.map((e) => eventPayload(hook.accountId, e)));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (hook.secret) headers['x-herald-signature'] = signature(hook.secret, body);
      const result = await transport.post(hook.url, body, headers);
      if (result.ok) {
        cursor = scanned;
        count += batch.length;
        continue;
      }
      const now = clock.now();
      let token = lease.token;
      let firstFailureAt = lease.state.firstFailureAt ?? now;
      let attempts = lease.state.attempts;
      if (count > 0) {
        // Part of this round went through: record it, then the failure starts a fresh streak
        // (the hook answered a moment ago) under a new lease.
        await store.finishHook(hook.id, token, { kind: 'delivered', cursor, count }, now);
        const again = await store.leaseHook(hook.id, now, this.opts.leaseMs);
        if (!again) {
          this.countDelivered(count);
          return count;
        }
        token = again.token;
        firstFailureAt = now;
        attempts = 0;
      }
      if (now - firstFailureAt >= this.opts.retryWindowMs) {
        this.deadLettered += batch.length;
        this.deps.metrics?.hookEvents('dead_lettered', batch.length);
        this.deps.log.warn({ hook: hook.id, events: batch.length, error: result.error }, 'hook failing for too long: events dead-lettered');
        await store.finishHook(hook.id, token, { kind: 'dead', cursor: scanned, eventIds: batch.map((e) => e.id), error: result.error }, now);
        this.countDelivered(count);
        return count;
      }
      const delay = Math.round(Math.max(Math.min(this.opts.retryCapMs, this.opts.retryBaseMs * 2 ** attempts) * (0.8 + 0.4 * Math.random()), result.retryAfterMs ?? 0));
      await store.finishHook(hook.id, token, { kind: 'failed', error: result.error, nextAttemptAt: now + delay, firstFailureAt }, now);
      this.countDelivered(count);
      return count;
    }
    await store.finishHook(hook.id, lease.token, { kind: 'delivered', cursor, count }, clock.now());
    this.countDelivered(count);
    return count;
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
