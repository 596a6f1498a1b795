// Prometheus metrics of the engine: counters fed by the core as it works (imports, delivery
// outcomes, send latency, reclaims, hook events) and gauges read from the storage at each scrape
// (queue depth and lag, hook backlog). A registry of its own, so an in-process engine (tests) and
// the HTTP front's registry never collide; the front concatenates both texts.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Channel } from '../core/catalog/types.js';
import type { CoreMetrics, DeliveryOutcome } from '../core/monitoring/metrics-port.js';
import type { MonitorStore } from '../core/monitoring/store-port.js';
import type { Clock } from '../core/base/clock.js';

export class EngineMetrics implements CoreMetrics {
  readonly registry = new Registry();
  private readonly imported: Counter<'method'>;
  private readonly rejected: Counter<'method'>;
  private readonly messages: Counter<'channel' | 'status'>;
  private readonly sendSeconds: Histogram<'channel' | 'status'>;
  private readonly reclaims: Counter<'channel'>;
  private readonly hookEventsTotal: Counter<'outcome'>;
  private readonly inboundMail: Counter<'outcome'>;
  private readonly storageUp: Gauge;
  private readonly queueDue: Gauge;
  private readonly queueLag: Gauge;
  private readonly queueSending: Gauge;
  private readonly hookBacklogEvents: Gauge<'hook'>;
  private readonly hookDeadLettered: Gauge<'hook'>;

  // long: one declaration per metric, in the order /metrics shows them
  constructor(
    private readonly store: MonitorStore,
    private readonly clock: Clock,
  ) {
    const registers = [this.registry];
    this.imported = new Counter({
      name: 'herald_items_imported_total',
      help: 'Profiles imported, by API method (tasks: the method with _task)',
      labelNames: ['method'],
      registers,
    });
    this.rejected = new Counter({
      name: 'herald_items_rejected_total',
      help: 'Items of a batch reported in its errors, by API method',
      labelNames: ['method'],
      registers,
    });
    this.messages = new Counter({
      name: 'herald_messages_total',
      help: 'Delivery attempts by channel and outcome (sent, retry = transient failure, failed, skipped)',
      labelNames: ['channel', 'status'],
      registers,
    });
    this.sendSeconds = new Histogram({
      name: 'herald_send_duration_seconds',
      help: "The sender's time to accept (or refuse) a message, by channel and outcome",
      labelNames: ['channel', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.reclaims = new Counter({
      name: 'herald_messages_reclaimed_total',
      help: 'Messages taken back from a worker whose lease expired (a crash): the only ones that may be sent twice',
      labelNames: ['channel'],
      registers,
    });
    this.hookEventsTotal = new Counter({
      name: 'herald_hook_events_total',
      help: 'Hook events posted (delivered) or given up (dead_lettered) by this process',
      labelNames: ['outcome'],
      registers,
    });
    this.inboundMail = new Counter({
      name: 'herald_inbound_mail_total',
      help: 'Messages the built-in MX read, by what they came to (hard, soft, complaint, delivered; duplicate = read before; unmatched = no message of ours; dropped = no report)',
      labelNames: ['outcome'],
      registers,
    });
    this.storageUp = new Gauge({
      name: 'herald_storage_up',
      help: 'Whether the storage answered the queries of this scrape',
      registers,
    });
    this.queueDue = new Gauge({
      name: 'herald_queue_due_messages',
      help: 'Scheduled messages whose due time has come, not yet claimed (all processes)',
      registers,
    });
    this.queueLag = new Gauge({
      name: 'herald_queue_lag_seconds',
      help: 'How long the oldest due message has been waiting (0 when none is due)',
      registers,
    });
    this.queueSending = new Gauge({
      name: 'herald_queue_sending_messages',
      help: 'Messages claimed by a worker and not finished (all processes)',
      registers,
    });
    this.hookBacklogEvents = new Gauge({
      name: 'herald_hook_backlog_events',
      help: "Events after a hook's cursor, not yet delivered to it (before its event filters: an upper bound)",
      labelNames: ['hook'],
      registers,
    });
    this.hookDeadLettered = new Gauge({
      name: 'herald_hook_dead_lettered_events',
      help: "Events moved to a hook's dead-letter list",
      labelNames: ['hook'],
      registers,
    });
  }

  itemsImported(method: string, imported: number, rejected: number): void {
    if (imported > 0) this.imported.inc({ method }, imported);
    if (rejected > 0) this.rejected.inc({ method }, rejected);
  }

  delivered(channel: Channel, outcome: DeliveryOutcome, sendMs: number | undefined): void {
    this.messages.inc({ channel, status: outcome });
    if (sendMs !== undefined) this.sendSeconds.observe({ channel, status: outcome }, sendMs / 1000);
  }

  inboundRead(outcome: string): void {
    this.inboundMail.inc({ outcome });
  }

  reclaimed(channel: Channel): void {
    this.reclaims.inc({ channel });
  }

  hookEvents(outcome: 'delivered' | 'dead_lettered', count: number): void {
    this.hookEventsTotal.inc({ outcome }, count);
  }

  /** The metrics as Prometheus text, with the storage gauges read now. */
  async text(): Promise<string> {
    await this.readStorage();
    return this.registry.metrics();
  }

  private async readStorage(): Promise<void> {
    const now = this.clock.now();
    try {
      const [queue, hooks] = await Promise.all([this.store.queueStats(now), this.store.hookBacklog()]);
      this.queueDue.set(queue.due);
      this.queueLag.set(queue.oldestDueAt === undefined ? 0 : Math.max(0, now - queue.oldestDueAt) / 1000);
      this.queueSending.set(queue.sending);
      // Hooks deleted since the last scrape must not linger as series.
      this.hookBacklogEvents.reset();
      this.hookDeadLettered.reset();
      for (const h of hooks) {
        this.hookBacklogEvents.set({ hook: String(h.hookId) }, h.pending);
        this.hookDeadLettered.set({ hook: String(h.hookId) }, h.deadLettered);
      }
      this.storageUp.set(1);
    } catch {
      this.storageUp.set(0);
    }
  }
}
