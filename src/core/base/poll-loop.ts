// The loop behind every background worker (delivery, action hooks, tasks): run a round, then
// sleep as long as the round asks — or less, when woken because new work arrived in this
// process. A wake during a round is remembered, so no arrival waits a full poll interval.

export class PollLoop {
  private stopping = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  /**
   * @param round one round of work; resolves with the milliseconds to sleep before the next
   *   (0: go on at once)
   * @param onError a round that throws is logged, and the next one waits `errorWaitMs`
   */
  constructor(
    private readonly round: () => Promise<number>,
    private readonly onError: (err: unknown) => void,
    private readonly errorWaitMs: number,
  ) {}

  get stopped(): boolean {
    return this.stopping;
  }

  start(): void {
    this.loop ??= (async () => {
      while (!this.stopping) {
        let wait: number;
        try {
          wait = await this.round();
        } catch (err) {
          this.onError(err);
          wait = this.errorWaitMs;
        }
        if (this.stopping) break;
        if (wait > 0 && !this.woken) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, wait);
            this.wakeUp = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wakeUp = undefined;
        }
        this.woken = false;
      }
    })();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops after the round in progress. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
  }
}
