// Outcomes are written in small groups as sends finish, not at the end of a batch: the window
// in which a crash re-sends a message that was already accepted stays a few milliseconds wide.
import type { DeliveryStore, RecordedOutcome } from './store-port.js';
import type { Clock } from '../base/clock.js';

const FLUSH_SIZE = 32;
const FLUSH_DELAY_MS = 15;

export class OutcomeBuffer {
  private pending: RecordedOutcome[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<DeliveryStore, 'recordOutcomes'>,
    private readonly clock: Clock,
  ) {}

  add(outcome: RecordedOutcome): void {
    this.pending.push(outcome);
    if (this.pending.length >= FLUSH_SIZE) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes what is pending; resolves when everything added so far is stored. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0)
      this.writing = this.writing.then(async () => void (await this.store.recordOutcomes(batch, this.clock.now())));
    return this.writing;
  }
}
