// A delivery worker (spec 04): claims due messages in due order under a lease, checks them
// again at send time, renders and sends them, and records each outcome with its hook event.
// Delivery is at least once; a message is sent twice only when a worker dies between the
// receiver's acceptance and the recorded outcome, and then with the same Message-ID.
import type { CatalogCache } from '../catalog/cache.js';
import type { Catalog, HookEvent, TriggerDef } from '../catalog/types.js';
import { anyHookWants } from '../catalog/hook-filters.js';
import type { CoreMetrics, DeliveryOutcome } from '../monitoring/metrics-port.js';
import { PollLoop } from '../base/poll-loop.js';
import { SUBSCRIPTION_STATUSES, SUBSCRIBED } from '../profiles/subscriptions.js';
import { compose, plannedLinks } from './compose.js';
import { LinkBook, type TrackedLink, type TriggerLinks } from './tracked-links.js';
import { OutcomeBuffer } from './outcome-buffer.js';
import { findChannelSender } from '../catalog/channel-sender.js';
import type { SendResult, SubscriptionVerdict } from './outgoing.js';
import { retryDelay, type RetryPolicy } from './retry.js';
import type { SenderPool } from './sender-pool.js';
import type {
  AccountEvent,
  ClaimedMessage,
  DeliveryStore,
  FeedbackItem,
  LaunchData,
  RecordedOutcome,
  SubscriptionChange,
} from './store-port.js';
import type { Clock } from '../base/clock.js';
import type { StoredProfile, StoredSubscription } from '../profiles/store-port.js';
import { ComposeError } from '../base/errors.js';
import { SUPPRESSED_REASON } from './counters.js';
import { suppressionKey, type SuppressionCheck, type SuppressionValue } from './suppression-port.js';

export interface DeliveryOptions {
  batchSize: number;
  leaseMs: number;
  pollMs: number;
  concurrency: number;
  retry: RetryPolicy;
  publicUrl: string;
  secret: string;
  /** HERALD_BOUNCE_DOMAIN: emails go out with a VERP return path there. */
  bounceDomain?: string | undefined;
  /** HERALD_SOFT_BOUNCE_LIMIT (default 3). */
  softBounceLimit?: number;
}

export interface DeliveryLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliveryDeps {
  store: DeliveryStore & { accountVersions(): Promise<Map<number, number>> };
  clock: Clock;
  catalogs: CatalogCache;
  senders: SenderPool;
  log: DeliveryLog;
  metrics?: Pick<CoreMetrics, 'delivered' | 'reclaimed'>;
  /** The stored links of this store the process knows (shared with the click route); one of its own without. */
  links?: LinkBook;
}

export interface DeliveryStats {
  sent: number;
  failed: number;
  retried: number;
  skipped: number;
  /** Messages taken back from a worker whose lease expired: the only ones that may be re-sent. */
  reclaimed: number;
}

const SEND_EVENTS: Record<string, HookEvent> = { email: 'send', sms: 'send_sms', push: 'send_push' };
/** The hook event of a subscription status a send result sets (the other statuses' events come with bounces). */
const SUBSCRIPTION_EVENTS: Partial<Record<SubscriptionVerdict['status'], HookEvent>> = { unsubscribed: 'unsub' };

/** `{key: value}` when the value is set, else nothing: optional properties stay absent. */
const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
const MAX_CACHED_LAUNCHES = 64;

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

export class DeliveryWorker {
  readonly stats: DeliveryStats = { sent: 0, failed: 0, retried: 0, skipped: 0, reclaimed: 0 };
  private stopping = false;
  private readonly launches = new Map<number, LaunchData>();
  private readonly links: LinkBook;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly opts: DeliveryOptions,
  ) {
    this.links = deps.links ?? new LinkBook();
  }

  /** One round: claim a batch, deliver it, record the outcomes. Returns how many were claimed. */
  async tick(): Promise<number> {
    const { store, clock } = this.deps;
    const claimed = await store.claimMessages(clock.now(), this.opts.batchSize, this.opts.leaseMs);
    if (claimed.length === 0) return 0;
    const versions = await store.accountVersions();
    const profiles = await store.loadRecipients([...new Set(claimed.map((m) => m.profileId))]);
    const launches = await this.loadLaunches(claimed);
    const suppressed = await suppressedOf(store, claimed);
    await this.prepareLinks(claimed, versions);
    const buffer = new OutcomeBuffer(store, clock);
    await mapLimit(claimed, this.opts.concurrency, async (m) => {
      if (this.stopping) {
        buffer.add({ kind: 'released', id: m.id, claimToken: m.claimToken });
        return;
      }
      if (m.reclaimed) {
        this.stats.reclaimed++;
        this.deps.metrics?.reclaimed(m.channel);
        this.deps.log.warn(
          { message: m.id },
          'message reclaimed after an expired lease: it may be sent again (same Message-ID)',
        );
      }
      const catalog = await this.deps.catalogs.get(m.accountId, versions.get(m.accountId) ?? 0);
      const onList = suppressed.has(m.id);
      buffer.add(await this.deliver(m, catalog, profiles.get(m.profileId), launches.get(m.launchId), onList));
    });
    await buffer.flush();
    return claimed.length;
  }

  private async loadLaunches(claimed: ClaimedMessage[]): Promise<Map<number, LaunchData>> {
    const wanted = [...new Set(claimed.map((m) => m.launchId))];
    const missing = wanted.filter((id) => !this.launches.has(id));
    if (missing.length > 0) {
      for (const [id, l] of await this.deps.store.loadLaunches(missing)) this.launches.set(id, l);
      while (this.launches.size > MAX_CACHED_LAUNCHES)
        this.launches.delete(this.launches.keys().next().value as number);
    }
    return new Map(wanted.flatMap((id) => (this.launches.has(id) ? [[id, this.launches.get(id) as LaunchData]] : [])));
  }

  /**
   * The ids of the stored links the claimed emails' click tokens name, drawn for those not known
   * yet (one store call per trigger with new links). Without them (the store failed) the click
   * tokens carry their URLs: a link that cannot be stored is still tracked.
   */
  private async prepareLinks(claimed: ClaimedMessage[], versions: Map<number, number>): Promise<void> {
    const wanted = new Map<string, TriggerLinks & { seen: Set<string> }>();
    const done = new Set<string>();
    for (const m of claimed) {
      if (m.channel !== 'email') continue;
      const version = versions.get(m.accountId) ?? 0;
      const key = `${m.accountId} ${m.triggerId} ${m.variant} ${version}`;
      if (done.has(key)) continue;
      done.add(key);
      const catalog = await this.deps.catalogs.get(m.accountId, version);
      const trigger = catalog.triggers.get(m.triggerId);
      if (!trigger) continue;
      const links: TrackedLink[] = plannedLinks(catalog, trigger, m.variant);
      if (links.length === 0) continue;
      const tk = `${m.accountId} ${m.triggerId}`;
      let w = wanted.get(tk);
      if (!w) wanted.set(tk, (w = { accountId: m.accountId, triggerId: m.triggerId, links: [], seen: new Set() }));
      for (const l of links) {
        const lk = `${l.position} ${l.url}`;
        if (w.seen.has(lk)) continue;
        w.seen.add(lk);
        w.links.push(l);
      }
    }
    if (wanted.size === 0) return;
    try {
      await this.links.prepare(this.deps.store, [...wanted.values()]);
    } catch (err) {
      this.deps.log.warn({ err }, 'tracked links could not be stored: their click tokens carry the URLs');
    }
  }

  private skip(m: ClaimedMessage, reason: string): RecordedOutcome {
    this.stats.skipped++;
    this.observe(m, 'skipped', undefined);
    return { kind: 'skipped', id: m.id, claimToken: m.claimToken, reason };
  }

  private async deliver(
    m: ClaimedMessage,
    catalog: Catalog,
    profile: StoredProfile | undefined,
    launch: LaunchData | undefined,
    onList = false,
  ): Promise<RecordedOutcome> {
    if (!profile) return this.skip(m, 'profile deleted');
    const sub = profile.subscriptions.find(
      (s) => s.resourceId === m.resourceId && s.channel === m.channel && s.address === m.address,
    );
    if (!sub) return this.skip(m, 'subscription removed');
    if (sub.status !== SUBSCRIBED)
      return this.skip(m, `subscription is ${SUBSCRIPTION_STATUSES[sub.status] ?? sub.status}`);
    if (onList) return this.skip(m, SUPPRESSED_REASON);
    const trigger = catalog.triggers.get(m.triggerId);
    if (!trigger) return this.skip(m, 'trigger deleted');
    const ctx: SendContext = { m, catalog, profile, sub, launch };
    const { result, sendMs, senderId } = await this.send(ctx, trigger);
    return this.outcomeOf(ctx, result, sendMs, senderId);
  }

  /** Composes and sends the message: what the sender answered, how long it took, which sender. */
  private async send(
    { m, catalog, profile, sub, launch }: SendContext,
    trigger: TriggerDef,
  ): Promise<{ result: SendResult; sendMs?: number; senderId?: number }> {
    let senderId: number | undefined;
    try {
      const outgoing = compose({
        message: m,
        profile,
        subscription: sub,
        trigger,
        catalog,
        launch,
        publicUrl: this.opts.publicUrl,
        secret: this.opts.secret,
        bounceDomain: this.opts.bounceDomain,
        linkRef: this.links.refOf(m.accountId, m.triggerId),
      });
      const senderDef = findChannelSender(catalog, sub.resourceId, sub.channel, sub.data.provider);
      if (!senderDef) throw new ComposeError(`resource ${sub.resourceId} has no sender for ${sub.channel}`);
      senderId = senderDef.id;
      const started = performance.now();
      const result = await this.deps.senders.get(senderDef).send(outgoing);
      return { result, sendMs: performance.now() - started, senderId };
    } catch (err) {
      if (!(err instanceof ComposeError)) this.deps.log.error({ message: m.id, err }, 'sending failed unexpectedly');
      const result: SendResult = {
        ok: false,
        transient: !(err instanceof ComposeError),
        error: err instanceof Error ? err.message : String(err),
      };
      return senderId === undefined ? { result } : { result, senderId };
    }
  }

  /** The outcome to record for what the sender answered: sent, retried later or failed (with a bounce). */
  private outcomeOf(
    ctx: SendContext,
    result: SendResult,
    sendMs: number | undefined,
    senderId: number | undefined,
  ): RecordedOutcome {
    const { m } = ctx;
    // What the answer says about the subscription is written with the message's outcome.
    const change = subscriptionChange(ctx, result.subscription);
    const base = { id: m.id, claimToken: m.claimToken, ...optional('subscription', change) };
    if (result.ok) {
      this.stats.sent++;
      this.observe(m, 'sent', sendMs);
      return {
        kind: 'sent',
        ...base,
        ...optional('senderId', senderId),
        ...optional('providerId', result.providerId),
        ...optional('event', hookEvent(ctx, SEND_EVENTS[m.channel], {})),
      };
    }
    if (result.transient && m.attempts < this.opts.retry.maxAttempts) {
      this.stats.retried++;
      this.observe(m, 'retry', sendMs);
      return {
        kind: 'retry',
        ...base,
        error: result.error,
        dueAt: this.deps.clock.now() + retryDelay(this.opts.retry, m.attempts, result.retryAfterMs),
      };
    }
    this.stats.failed++;
    this.observe(m, 'failed', sendMs);
    const e = hookEvent(ctx, 'undeliv', {
      error: result.error,
      attempts: m.attempts,
      ...(result.subscription ? { subscription_status: result.subscription.status } : {}),
    });
    const feedback = bounceFeedback(ctx, result, this.opts.softBounceLimit ?? 3);
    return { kind: 'failed', ...base, error: result.error, ...optional('event', e), ...optional('feedback', feedback) };
  }

  private observe(m: ClaimedMessage, outcome: DeliveryOutcome, sendMs: number | undefined): void {
    this.deps.metrics?.delivered(m.channel, outcome, sendMs);
  }

  private readonly loop = new PollLoop(
    () => this.round(),
    (err) => this.deps.log.error({ err }, 'delivery round failed'),
    1000,
  );

  /** A round, then how long to sleep: none while there is work, else until the next due time. */
  private async round(): Promise<number> {
    const claimed = await this.tick();
    if (claimed >= this.opts.batchSize) return 0;
    let wait = this.opts.pollMs;
    try {
      const next = await this.deps.store.nextDueAt();
      if (next !== undefined) wait = Math.max(0, Math.min(wait, next - this.deps.clock.now()));
    } catch {
      // storage unavailable: poll again later
    }
    // A partial batch may mean more work is being scheduled right now: look again soon.
    return claimed > 0 ? Math.min(wait, 10) : wait;
  }

  /** Runs rounds until stopped. */
  start(): void {
    this.loop.start();
  }

  /** New due work arrived (an import in this process). */
  wake(): void {
    this.loop.wake();
  }

  /** Finishes the sends in flight, gives back claimed messages not started, and stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
  }
}

/** A message being sent with what it goes to: its catalog, profile, subscription and launch. */
interface SendContext {
  m: ClaimedMessage;
  catalog: Catalog;
  profile: StoredProfile;
  sub: StoredSubscription;
  launch: LaunchData | undefined;
}

const keyOf = ({ profile, sub }: SendContext) => ({
  profileId: profile.id,
  resourceId: sub.resourceId,
  channel: sub.channel,
  address: sub.address,
});

/** The hook event of the message, or undefined when no hook of the account wants it. */
function hookEvent(ctx: SendContext, type: HookEvent, data: Record<string, unknown>): AccountEvent | undefined {
  const { m, catalog, profile, sub, launch } = ctx;
  if (!anyHookWants(catalog.hooks, type, { dbId: profile.dbId, resourceId: sub.resourceId, triggerId: m.triggerId }))
    return undefined;
  return {
    accountId: m.accountId,
    type,
    dbId: profile.dbId,
    resourceId: sub.resourceId,
    triggerId: m.triggerId,
    profileId: profile.id,
    payload: {
      list_id: profile.dbId,
      profile_id: profile.id,
      campaign_id: m.triggerId,
      message_id: String(m.id),
      subscription: subscriptionView(sub),
      custom_data: m.customData ?? launch?.customData ?? {},
      event_data: data,
    },
  };
}

/** The subscription status an answer sets (a dead device token, a refused address), with its event. */
function subscriptionChange(
  ctx: SendContext,
  verdict: SubscriptionVerdict | undefined,
): SubscriptionChange | undefined {
  if (!verdict) return undefined;
  const type = SUBSCRIPTION_EVENTS[verdict.status];
  return {
    key: keyOf(ctx),
    status: SUBSCRIPTION_STATUSES.indexOf(verdict.status),
    reason: verdict.reason,
    ...optional('event', type && hookEvent(ctx, type, { reason: verdict.reason })),
  };
}

/** A rejection that names the mailbox bad (5.1.x) or full (5.2.2) is a bounce too (spec 07). */
function bounceFeedback(ctx: SendContext, result: SendResult, softLimit: number): FeedbackItem | undefined {
  const { m } = ctx;
  const bounce = !result.ok && result.bounce && m.channel === 'email' ? result.bounce : undefined;
  if (!bounce || result.ok) return undefined;
  const data = { source: 'smtp', reason: result.error };
  return {
    kind: bounce,
    messageId: m.id,
    accountId: m.accountId,
    triggerId: m.triggerId,
    reason: result.error,
    data,
    subscription: keyOf(ctx),
    events: [hookEvent(ctx, bounce === 'hard' ? 'hbounce' : 'sbounce', { ...data })].filter(
      (x): x is AccountEvent => x !== undefined,
    ),
    softLimit,
  };
}

/** What of a message's address a stop list can hold: the email and its domain, or the phone. */
function suppressibleValues(m: ClaimedMessage): SuppressionValue[] {
  if (m.address === null) return [];
  if (m.channel === 'email')
    return [
      { kind: 'email', value: m.address },
      { kind: 'domain', value: m.address.slice(m.address.lastIndexOf('@') + 1) },
    ];
  if (m.channel === 'sms') return [{ kind: 'phone', value: m.address }];
  return [];
}

/** The ids of the claimed messages whose address, domain or phone is on a stop list: one query per account of the batch. */
async function suppressedOf(store: SuppressionCheck, claimed: ClaimedMessage[]): Promise<Set<number>> {
  const byAccount = new Map<number, ClaimedMessage[]>();
  for (const m of claimed) byAccount.set(m.accountId, [...(byAccount.get(m.accountId) ?? []), m]);
  const out = new Set<number>();
  for (const [accountId, messages] of byAccount) {
    const values = messages.flatMap(suppressibleValues);
    if (values.length === 0) continue;
    const hits = await store.suppressedValues(accountId, values);
    if (hits.size === 0) continue;
    for (const m of messages) if (suppressibleValues(m).some((v) => hits.has(suppressionKey(v)))) out.add(m.id);
  }
  return out;
}

export function subscriptionView(s: StoredSubscription): Record<string, unknown> {
  const view: Record<string, unknown> = { channel: s.channel, resource_id: s.resourceId };
  if (s.channel === 'email') view.email = s.data.email;
  else if (s.channel === 'sms') view.phone = s.data.phone;
  else {
    view.provider = s.data.provider;
    view.subscription_id = s.data.subscriptionId;
  }
  return view;
}
