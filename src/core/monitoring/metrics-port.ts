// What the core reports as it works, for operators' metrics (Prometheus, runtime/metrics.ts).
// Events only: the core never reads a metric back, and a missing observer costs nothing.
import type { Channel } from '../catalog/types.js';

/** How a delivery attempt ended (spec 04): the statuses of messages/list, `retry` for a transient failure. */
export type DeliveryOutcome = 'sent' | 'retry' | 'failed' | 'skipped';

export interface CoreMetrics {
  /** Profiles a request (or a task chunk) imported, and items it reported in `errors`. */
  itemsImported(method: string, imported: number, rejected: number): void;
  /** A message's delivery attempt ended; `sendMs` is the sender's time (absent when nothing was sent). */
  delivered(channel: Channel, outcome: DeliveryOutcome, sendMs: number | undefined): void;
  /** A message taken back from a worker whose lease expired: it may be sent a second time. */
  reclaimed(channel: Channel): void;
  /** Hook events posted to their receiver, or moved to the dead-letter list. */
  hookEvents(outcome: 'delivered' | 'dead_lettered', count: number): void;
}
