// A management change is written with a compare-and-swap on the account's config version. When
// the store finds the configuration moved on since the change was checked (another change got
// there first), nothing is written and the change is checked again on the new catalog; when that
// keeps happening, the answer is 503 and nothing is written. The "other change" is made by the
// storage itself, with a trigger, at the exact moment it has to come.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rows, startApi } from '../helpers/api.js';
import { injectFault, onRowWrite } from '../helpers/faults.js';
import type { Harness } from '../helpers/harness.js';
import { expectError, expectOk } from '../helpers/manage.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi();
});
afterAll(() => h.close());

const version = () => rows<{ v: number }>(h, 'SELECT config_version AS v FROM accounts WHERE id = 1')[0].v;
const triggerName = async (id: number) =>
  (expectOk(await call(h, 'campaigns/triggers/get', { id })).data as { name: string }).name;
const newTrigger = async (name: string) =>
  (
    expectOk(
      await call(h, 'campaigns/triggers/add', {
        name,
        send_channel: 'email',
        trigger_type: 'api_call',
        content: [{ message_id: 5 }],
        resource_id: 21,
        list_id: 1,
      }),
    ).data as { id: number }
  ).id;

describe('a management change racing another one', () => {
  it('is checked again on the new configuration and applied once', async () => {
    const id = await newTrigger('Before');
    expect(await triggerName(id)).toBe('Before');
    // Right after the request claims its key (after its catalog was read, before its write), the
    // account's configuration changes.
    const stop = onRowWrite(
      h,
      { table: 'request_keys', op: 'INSERT', when: "NEW.key = 'stale-once'" },
      'UPDATE accounts SET config_version = config_version + 1 WHERE id = 1',
    );
    const before = version();
    try {
      expectOk(
        await call(h, 'campaigns/triggers/update', { id, name: 'After' }, { headers: { 'Request-ID': 'stale-once' } }),
      );
    } finally {
      stop();
    }
    expect(await triggerName(id)).toBe('After');
    // The racing change and this one: one bump each, none for the attempt that found it stale.
    expect(version()).toBe(before + 2);
  });

  it('answers 503 when the configuration keeps changing under it, and writes nothing', async () => {
    const id = await newTrigger('Steady');
    const before = version();
    // Every write of this trigger finds its row changed (as when another change keeps winning).
    const heal = injectFault(h, { table: 'triggers', op: 'UPDATE', when: `NEW.id = ${id}`, effect: 'skip' });
    try {
      expectError(
        await call(h, 'campaigns/triggers/update', { id, name: 'Never' }),
        503,
        'the account configuration is changing concurrently, retry later',
      );
    } finally {
      heal();
    }
    expect(await triggerName(id)).toBe('Steady');
    expect(version()).toBe(before);
    // The same change goes through once the writes do.
    expectOk(await call(h, 'campaigns/triggers/update', { id, name: 'Finally' }));
    expect(await triggerName(id)).toBe('Finally');
  });
});
