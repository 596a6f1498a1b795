// Tasks, request keys, custom_request pages, launches written ahead of their messages and token
// rate limits (core/tasks, core/requests, core/query, core/triggers/launch-port.ts), as every
// Store must keep them. Called from store-contract.ts, so each adapter's suite runs these too.
import { expect, it } from 'vitest';
import type { Store } from '../../core/ports.js';
import type { ProvisionPlan } from '../../core/provisioning/plan.js';
import type { ProfileQuery } from '../../core/query/plan.js';
import type { RecordedResponse, RequestClaimInput } from '../../core/requests/store-port.js';
import type { ImportWrite } from '../../core/imports/store-port.js';
import type { ProfileWrite } from '../../core/profiles/store-port.js';

const NOW = Date.UTC(2026, 10, 27, 10, 0, 0);

function profile(id: string, fields: Record<string, unknown>, values: [string, string, number | null][]): ProfileWrite {
  return {
    id,
    fields,
    createdAt: NOW,
    updatedAt: NOW,
    addValues: values.map(([field, value, num]) => ({ field, value, num })),
    removeValues: [],
    subscriptions: [],
  };
}

function importWrite(extra: Partial<ImportWrite>): ImportWrite {
  return { accountId: 1, dbId: 1, now: NOW, profiles: [], messages: [], events: [], ...extra };
}

export function defineQueueContract(store: () => Store, plan: ProvisionPlan): void {
  const setUp = () => store().transaction((tx) => tx.applyProvisioning(plan, NOW));

  it('queue: a launch stored ahead gets messages from several writes, its content and attachments once', async () => {
    await setUp();
    const s = store();
    const launch = {
      triggerId: 96,
      kind: 'api' as const,
      content: { page: 'x' },
      customData: { c: 1 },
      attachments: [{ name: 'a.txt', mime: 'text/plain', data: Buffer.from('hi') }],
    };
    const id = await s.transaction((tx) => tx.insertLaunch(1, launch, NOW));
    const message = (profileId: string) => ({
      launchId: id,
      triggerId: 96,
      profileId,
      channel: 'email' as const,
      resourceId: 21,
      address: `${profileId}@example.com`,
      status: 'scheduled' as const,
      skipReason: null,
      dueAt: NOW,
      variant: 0,
      customData: null,
    });
    for (const ids of [['p1', 'p2'], ['p3']]) {
      await s.transaction((tx) => tx.saveImport(importWrite({ messages: ids.map(message) })));
    }
    const launches = await s.loadLaunches([id]);
    expect(launches.get(id)).toMatchObject({
      content: { page: 'x' },
      customData: { c: 1 },
      attachments: [{ name: 'a.txt', mime: 'text/plain' }],
    });
    const log = await s.campaignLog(1, 96, 0, 100);
    expect(log.entries.filter((e) => e.kind === 'launch')).toEqual([expect.objectContaining({ value: 3 })]);
    const claimed = await s.claimMessages(NOW, 10, 60_000);
    expect(claimed.map((m) => m.launchId)).toEqual([id, id, id]);
  });

  it('queue: pages the profiles of a database answering a query plan, oldest first', async () => {
    await setUp();
    const s = store();
    await s.transaction((tx) =>
      tx.saveImport(
        importWrite({
          profiles: [
            profile(
              'cccccccccccccccccccccc01',
              { email: 'a@example.com', CRM_ID: 1, tags: ['x', 'y'], _fname: 'Ann', _lat: 10 },
              [
                ['email', 'a@example.com', null],
                ['CRM_ID', '1', 1],
                ['tags', 'x', null],
                ['tags', 'y', null],
              ],
            ),
            profile('cccccccccccccccccccccc02', { email: 'b@example.com', CRM_ID: 5, tags: ['y'], _fname: 'Bob' }, [
              ['email', 'b@example.com', null],
              ['CRM_ID', '5', 5],
              ['tags', 'y', null],
            ]),
            profile('cccccccccccccccccccccc03', { _fname: 'Cid', _lat: 'n/a' }, []),
          ],
        }),
      ),
    );
    const names = new Map<number, string>();
    const all = await s.transaction((tx) => tx.queryProfiles(1, { kind: 'all' }, 0, 100));
    expect(all).toHaveLength(3);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
    all.forEach((seq, i) => names.set(seq, ['A', 'B', 'C'][i]));
    const run = async (q: ProfileQuery, db = 1) =>
      (await s.transaction((tx) => tx.queryProfiles(db, q, 0, 100))).map((seq) => names.get(seq)).join('');
    const idx = (field: string) => ({ source: 'index' as const, field });
    const doc = (field: string) => ({ source: 'document' as const, field });
    expect(await run({ kind: 'values', ...idx('CRM_ID'), values: ['5'] })).toBe('B');
    expect(await run({ kind: 'values', ...idx('CRM_ID'), values: ['1', '5', '9'] })).toBe('AB');
    expect(await run({ kind: 'values', ...idx('CRM_ID'), values: [] })).toBe('');
    expect(await run({ kind: 'values', ...idx('tags'), values: ['y'] })).toBe('AB');
    expect(await run({ kind: 'range', ...idx('CRM_ID'), column: 'num', lower: { value: 1, inclusive: false } })).toBe(
      'B',
    );
    expect(
      await run({
        kind: 'range',
        ...idx('CRM_ID'),
        column: 'num',
        lower: { value: 1, inclusive: true },
        upper: { value: 5, inclusive: false },
      }),
    ).toBe('A');
    expect(await run({ kind: 'range', ...idx('email'), column: 'text', lower: { value: 'b', inclusive: true } })).toBe(
      'B',
    );
    expect(await run({ kind: 'present', ...idx('CRM_ID') })).toBe('AB');
    expect(await run({ kind: 'not', of: { kind: 'present', ...idx('CRM_ID') } })).toBe('C');
    expect(await run({ kind: 'not', of: { kind: 'values', ...idx('tags'), values: ['x'] } })).toBe('BC');
    expect(await run({ kind: 'values', ...doc('_fname'), values: ['Bob', 'Cid'] })).toBe('BC');
    expect(await run({ kind: 'not', of: { kind: 'values', ...doc('_fname'), values: ['Bob'] } })).toBe('AC');
    // A number range never matches a text value, nor a missing one.
    expect(await run({ kind: 'range', ...doc('_lat'), column: 'num', lower: { value: 5, inclusive: false } })).toBe(
      'A',
    );
    expect(await run({ kind: 'present', ...doc('_lat') })).toBe('AC');
    expect(
      await run({
        kind: 'or',
        of: [
          { kind: 'values', ...idx('CRM_ID'), values: ['5'] },
          { kind: 'values', ...doc('_fname'), values: ['Cid'] },
        ],
      }),
    ).toBe('BC');
    expect(
      await run({
        kind: 'and',
        of: [
          { kind: 'values', ...idx('tags'), values: ['y'] },
          { kind: 'not', of: { kind: 'values', ...idx('tags'), values: ['x'] } },
        ],
      }),
    ).toBe('B');
    expect(await run({ kind: 'all' }, 2)).toBe('');
    // Pages: keyset on the creation order.
    const page1 = await s.transaction((tx) => tx.queryProfiles(1, { kind: 'present', ...doc('_fname') }, 0, 2));
    const page2 = await s.transaction((tx) => tx.queryProfiles(1, { kind: 'present', ...doc('_fname') }, page1[1], 2));
    expect([...page1, ...page2]).toEqual(all);
  });

  it('queue: tasks are claimed under a lease, progress is guarded by the claim, finished tasks expire', async () => {
    await setUp();
    const s = store();
    await s.transaction((tx) =>
      tx.insertTask({ id: 'task_a', accountId: 1, kind: 'k', request: '{"x":1}', total: 3, createdAt: NOW }),
    );
    await s.transaction((tx) =>
      tx.insertTask({ id: 'task_b', accountId: 1, kind: 'k', request: '{}', total: 1, createdAt: NOW + 1 }),
    );
    expect(await s.findTask(1, 'task_a', NOW)).toEqual({
      id: 'task_a',
      status: 'pending',
      total: 3,
      done: 0,
      failure: null,
      parts: [],
    });
    expect(await s.findTask(2, 'task_a', NOW)).toBeUndefined();

    const a = await s.claimTask(NOW, 1000);
    expect(a).toMatchObject({
      id: 'task_a',
      accountId: 1,
      kind: 'k',
      request: '{"x":1}',
      total: 3,
      done: 0,
      launchId: null,
      attempts: 1,
    });
    const b = await s.claimTask(NOW, 1000);
    expect(b?.id).toBe('task_b');
    expect(await s.claimTask(NOW, 1000)).toBeUndefined();
    const token = a?.claimToken as string;
    const part = {
      result: [{ profile_id: 'p1' }],
      errors: [{ index: 1, error: 404 as const, error_text: 'Not found', error_debug: 'data[1]: Profile not found' }],
    };
    expect(
      await s.transaction((tx) =>
        tx.saveTaskProgress({ taskId: 'task_a', claimToken: 'stale', done: 2, part, leaseUntil: NOW + 1000, now: NOW }),
      ),
    ).toBe(false);
    expect(
      await s.transaction((tx) =>
        tx.saveTaskProgress({
          taskId: 'task_a',
          claimToken: token,
          done: 2,
          part,
          launchId: 7,
          leaseUntil: NOW + 1000,
          now: NOW,
        }),
      ),
    ).toBe(true);
    expect(await s.findTask(1, 'task_a', NOW)).toMatchObject({ status: 'running', done: 2, parts: [] });

    // Given back: claimable at once, where it was. A lease that runs out is claimable too, and the old claim is void.
    await s.releaseTask('task_a', token);
    const again = await s.claimTask(NOW, 1000);
    expect(again).toMatchObject({ id: 'task_a', done: 2, launchId: 7, attempts: 2 });
    const later = await s.claimTask(NOW + 1001, 1000);
    expect(later).toMatchObject({ id: 'task_a', attempts: 3 });
    expect(
      await s.transaction((tx) =>
        tx.saveTaskProgress({
          taskId: 'task_a',
          claimToken: again?.claimToken as string,
          done: 3,
          leaseUntil: NOW,
          now: NOW,
        }),
      ),
    ).toBe(false);

    const last = { result: [{ profile_id: 'p3' }], errors: [] };
    const done = await s.transaction((tx) =>
      tx.saveTaskProgress({
        taskId: 'task_a',
        claimToken: later?.claimToken as string,
        done: 3,
        part: last,
        leaseUntil: NOW,
        now: NOW + 2000,
        finish: { status: 'completed', expiresAt: NOW + 10_000 },
      }),
    );
    expect(done).toBe(true);
    expect(await s.findTask(1, 'task_a', NOW + 2000)).toEqual({
      id: 'task_a',
      status: 'completed',
      total: 3,
      done: 3,
      failure: null,
      parts: [part, last],
    });
    expect(await s.claimTask(NOW + 5000, 1000)).toMatchObject({ id: 'task_b' });

    const failure = { error: 400, error_text: 'Invalid request', error_debug: 'trigger 96 is not active' };
    const bClaim = (await s.claimTask(NOW + 10_000, 1000)) as NonNullable<typeof b>;
    await s.transaction((tx) =>
      tx.saveTaskProgress({
        taskId: 'task_b',
        claimToken: bClaim.claimToken,
        done: 0,
        leaseUntil: NOW,
        now: NOW,
        finish: { status: 'failed', failure, expiresAt: NOW + 20_000 },
      }),
    );
    expect(await s.findTask(1, 'task_b', NOW)).toMatchObject({ status: 'failed', failure, parts: [] });

    expect(await s.findTask(1, 'task_a', NOW + 10_000)).toBeUndefined();
    const purged = await s.purge(0, NOW + 10_001);
    expect(purged.tasks).toBe(1);
    expect(await s.findTask(1, 'task_b', NOW)).toBeDefined();
  });

  it('queue: request keys are claimed, conflict, replay, and commit with the transaction', async () => {
    await setUp();
    const s = store();
    const scope = { tokenHash: 'h1', method: 'campaigns/triggers/start', key: 'k-1' };
    const claim = (o: Partial<RequestClaimInput> = {}) =>
      s.claimRequestKey({
        scope,
        accountId: 1,
        requestHash: 'body-1',
        now: NOW,
        leaseMs: 30_000,
        keepMs: 86_400_000,
        ...o,
      });
    const response: RecordedResponse = {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      headers: { a: 'b' },
      body: '{"error":0}',
    };

    const first = await claim();
    expect(first.kind).toBe('claimed');
    const token = first.kind === 'claimed' ? first.claimToken : '';
    expect(await claim()).toEqual({ kind: 'conflict', reason: 'in_progress' });
    expect(await claim({ requestHash: 'body-2' })).toEqual({ kind: 'conflict', reason: 'different' });
    // The record rolls back with the transaction it was written in.
    await expect(
      s.transaction(async (tx) => {
        await tx.completeRequestKey(scope, token, response);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await claim()).toEqual({ kind: 'conflict', reason: 'in_progress' });
    expect(await s.transaction((tx) => tx.completeRequestKey(scope, 'stale', response))).toBe(false);
    expect(await s.transaction((tx) => tx.completeRequestKey(scope, token, response))).toBe(true);
    expect(await claim({ now: NOW + 60_000 })).toEqual({ kind: 'replay', response });
    expect(await claim({ now: NOW + 60_000, requestHash: 'body-2' })).toEqual({
      kind: 'conflict',
      reason: 'different',
    });
    expect(await claim({ now: NOW + 86_400_000 })).toMatchObject({ kind: 'claimed' });

    // Other scopes are independent; a pending claim whose lease ran out is free again; a released one at once.
    const other = { ...scope, key: 'k-2' };
    const c2 = await s.claimRequestKey({
      scope: other,
      accountId: 1,
      requestHash: 'x',
      now: NOW,
      leaseMs: 1000,
      keepMs: 86_400_000,
    });
    const t2 = c2.kind === 'claimed' ? c2.claimToken : '';
    const taken = await s.claimRequestKey({
      scope: other,
      accountId: 1,
      requestHash: 'y',
      now: NOW + 1001,
      leaseMs: 1000,
      keepMs: 86_400_000,
    });
    expect(taken.kind).toBe('claimed');
    expect(await s.transaction((tx) => tx.completeRequestKey(other, t2, response))).toBe(false);
    await s.releaseRequestKey(other, taken.kind === 'claimed' ? taken.claimToken : '');
    expect(
      (
        await s.claimRequestKey({
          scope: other,
          accountId: 1,
          requestHash: 'z',
          now: NOW + 1002,
          leaseMs: 1000,
          keepMs: 86_400_000,
        })
      ).kind,
    ).toBe('claimed');

    // Applied without a response: never run again, never replayed.
    const k3 = { ...scope, key: 'k-3' };
    const c3 = await s.claimRequestKey({
      scope: k3,
      accountId: 1,
      requestHash: 'x',
      now: NOW,
      leaseMs: 1000,
      keepMs: 86_400_000,
    });
    await s.transaction((tx) => tx.completeRequestKey(k3, c3.kind === 'claimed' ? c3.claimToken : '', null));
    expect(
      await s.claimRequestKey({
        scope: k3,
        accountId: 1,
        requestHash: 'x',
        now: NOW + 5000,
        leaseMs: 1000,
        keepMs: 86_400_000,
      }),
    ).toEqual({ kind: 'conflict', reason: 'unanswered' });

    const purged = await s.purge(0, NOW + 3 * 86_400_000);
    expect(purged.requestKeys).toBe(3);
  });

  it('queue: tokens carry their rate limit', async () => {
    const limited: ProvisionPlan = {
      accounts: plan.accounts.map((a, i) =>
        i === 0
          ? {
              ...a,
              tokens: [...a.tokens, { hash: 'h-limited', role: 'write', revoked: false, ratePerSecond: 2.5, burst: 5 }],
            }
          : a,
      ),
    };
    await store().transaction((tx) => tx.applyProvisioning(limited, NOW));
    expect(await store().findToken('h-limited')).toMatchObject({
      accountId: 1,
      rateLimit: { perSecond: 2.5, burst: 5 },
    });
    expect((await store().findToken('h1'))?.rateLimit).toBeUndefined();
    await store().transaction((tx) => tx.applyProvisioning(plan, NOW));
    expect((await store().findToken('h-limited'))?.rateLimit).toEqual({ perSecond: 2.5, burst: 5 });
  });
}
