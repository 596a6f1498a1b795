// The loop of every background worker: a round, then the sleep it asks for — cut short by a wake,
// and skipped when a wake came during the round; an error waits errorWaitMs; stop ends it after
// the round in progress. "The loop did not go on" is checked after the event loop has turned
// (setImmediate), by which time a loop that did not sleep would have started its next round.
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PollLoop } from './poll-loop.js';

const LONG = 60_000;

/** A loop whose rounds are counted, each answering the wait `waits[n]` (the last one after). */
function counted(waits: number[], opts: { failAt?: number; errorWaitMs?: number } = {}) {
  const state = { rounds: 0, errors: [] as unknown[] };
  const loop = new PollLoop(
    async () => {
      // A turn of the event loop, as a round's I/O takes: a loop that never sleeps still lets
      // the test run.
      await turn();
      const n = state.rounds++;
      if (n === opts.failAt) throw new Error(`round ${n}`);
      return waits[Math.min(n, waits.length - 1)]!;
    },
    (err) => state.errors.push(err),
    opts.errorWaitMs ?? LONG,
  );
  return { loop, state };
}

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await turn();
}

describe('PollLoop', () => {
  it('goes on at once after a round that asks for no wait, and sleeps after one that does', async () => {
    const { loop, state } = counted([0, 0, LONG]);
    loop.start();
    await expect.poll(() => state.rounds).toBe(3);
    await settled();
    expect(state.rounds).toBe(3);
    await loop.stop();
  });

  it('a wake ends the sleep at once', async () => {
    const { loop, state } = counted([LONG]);
    loop.start();
    await expect.poll(() => state.rounds).toBe(1);
    await settled();
    expect(state.rounds).toBe(1);
    loop.wake();
    await expect.poll(() => state.rounds).toBe(2);
    await settled();
    expect(state.rounds).toBe(2);
    await loop.stop();
  });

  it('a wake during a round skips the sleep that round asks for, once', async () => {
    let release: (() => void) | undefined;
    let rounds = 0;
    const loop = new PollLoop(
      async () => {
        rounds++;
        if (rounds === 1) await new Promise<void>((r) => (release = r));
        return LONG;
      },
      () => undefined,
      LONG,
    );
    loop.start();
    await expect.poll(() => release).toBeDefined();
    loop.wake();
    release!();
    await expect.poll(() => rounds).toBe(2);
    // The wake was used up: the second round's wait is slept.
    await settled();
    expect(rounds).toBe(2);
    await loop.stop();
  });

  it('a round that throws is reported, and the next one waits errorWaitMs', async () => {
    const { loop, state } = counted([0], { failAt: 1 });
    loop.start();
    await expect.poll(() => state.errors.length).toBe(1);
    await settled();
    expect(state.rounds).toBe(2);
    expect(String(state.errors[0])).toContain('round 1');
    loop.wake();
    await expect.poll(() => state.rounds).toBeGreaterThan(2);
    await loop.stop();
    const short = counted([LONG], { failAt: 0, errorWaitMs: 0 });
    short.loop.start();
    // errorWaitMs 0: the round after the failing one comes at once, then the loop sleeps.
    await expect.poll(() => short.state.rounds).toBe(2);
    await short.loop.stop();
  });

  it('stop ends the loop during its sleep, after the round in progress, and for good', async () => {
    const { loop, state } = counted([LONG]);
    expect(loop.stopped).toBe(false);
    loop.start();
    loop.start();
    await expect.poll(() => state.rounds).toBe(1);
    await loop.stop();
    expect(loop.stopped).toBe(true);
    loop.wake();
    await settled();
    expect(state.rounds).toBe(1);
  });
});
