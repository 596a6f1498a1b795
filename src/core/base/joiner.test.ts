// The joiner's queueing rules: a request that meets no other runs at once, alone; those that
// arrive while a key's runners are busy form the next group, in arrival order, up to the member
// limit; each member gets its own outcome; keys never mix.
import { describe, expect, it } from 'vitest';
import { Joiner, type Settled } from './joiner.js';

/** A group run that waits until released, recording the groups it was given. */
function gatedRun() {
  const groups: string[][] = [];
  const gates: (() => void)[] = [];
  const run = (group: string[]): Promise<Settled<string>[]> => {
    groups.push(group);
    return new Promise((resolve) =>
      gates.push(() =>
        resolve(
          group.map((m) => (m.startsWith('bad') ? { ok: false, error: new Error(m) } : { ok: true, value: `${m}!` })),
        ),
      ),
    );
  };
  /** Releases the oldest running group, then lets the joiner start the next one. */
  const release = async () => {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { groups, run, release };
}

describe('Joiner', () => {
  it('runs the first request at once, alone, and those that waited meanwhile as the next group', async () => {
    const joiner = new Joiner<string, string>({ runners: 1, members: 10 });
    const g = gatedRun();
    const a = joiner.submit('k', 'a', g.run);
    expect(g.groups).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((m) => joiner.submit('k', m, g.run));
    expect(g.groups).toEqual([['a']]);
    await g.release();
    expect(await a).toBe('a!');
    expect(g.groups).toEqual([['a'], ['b', 'c', 'd']]);
    await g.release();
    expect(await Promise.all(rest)).toEqual(['b!', 'c!', 'd!']);
    expect(joiner.keys).toBe(0);
  });

  it('runs up to `runners` groups of a key at once and at most `members` requests in one', async () => {
    const joiner = new Joiner<string, string>({ runners: 2, members: 3 });
    const g = gatedRun();
    const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((m) => joiner.submit('k', m, g.run));
    expect(g.groups).toEqual([['a'], ['b']]);
    await g.release();
    expect(g.groups).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    await g.release();
    expect(g.groups).toEqual([['a'], ['b'], ['c', 'd', 'e'], ['f', 'g', 'h']]);
    await g.release();
    await g.release();
    expect(await Promise.all(all)).toEqual(['a!', 'b!', 'c!', 'd!', 'e!', 'f!', 'g!', 'h!']);
  });

  it('keeps keys apart: another key does not wait for a busy one', async () => {
    const joiner = new Joiner<string, string>({ runners: 1, members: 10 });
    const g = gatedRun();
    void joiner.submit('one', 'a', g.run);
    void joiner.submit('one', 'b', g.run);
    const other = joiner.submit('two', 'x', g.run);
    expect(g.groups).toEqual([['a'], ['x']]);
    expect(joiner.keys).toBe(2);
    g.release();
    await g.release();
    expect(await other).toBe('x!');
  });

  it("answers each member its own outcome, and a failed run's error to every member", async () => {
    const joiner = new Joiner<string, string>({ runners: 1, members: 10 });
    const g = gatedRun();
    void joiner.submit('k', 'first', g.run);
    const ok = joiner.submit('k', 'ok', g.run);
    const bad = joiner.submit('k', 'bad one', g.run).catch((err: unknown) => err);
    await g.release();
    await g.release();
    expect(await ok).toBe('ok!');
    expect(await bad).toEqual(new Error('bad one'));

    const lost = new Error('storage lost');
    const failing = () => Promise.reject(lost);
    const results = await Promise.allSettled(['p', 'q'].map((m) => joiner.submit('f', m, failing)));
    expect(results).toEqual([
      { status: 'rejected', reason: lost },
      { status: 'rejected', reason: lost },
    ]);
    expect(joiner.keys).toBe(0);
  });

  it('rejects, never hangs, the members a run left unanswered', async () => {
    const joiner = new Joiner<string, string>({ runners: 1, members: 10 });
    const short = (group: string[]) =>
      Promise.resolve(group.slice(1).map((m): Settled<string> => ({ ok: true, value: m })));
    await expect(joiner.submit('k', 'a', short)).rejects.toThrow('answered 0 of its 1 requests');
  });
});
