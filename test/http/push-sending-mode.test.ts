// Which push subscriptions of a profile a push trigger sends to (push_sending_mode): `fanout`, every
// subscribed push subscription on the trigger's resource; `last`, only the most recently updated
// one, whatever its priority, ties broken by address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH, call, messagesOf, startApi } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';
import { expectOk } from '../helpers/manage.js';

let h: Harness;
let lastTrigger: number;
beforeAll(async () => {
  h = await startApi();
  const added = expectOk(
    await call(h, 'campaigns/triggers/add', {
      name: 'Push to the last',
      send_channel: 'push',
      trigger_type: 'api_call',
      content: [{ message_id: 7 }],
      is_active: true,
      resource_id: 21,
      list_id: 1,
      push_sending_mode: 'last',
    }),
  );
  lastTrigger = (added.data as { id: number }).id;
});
afterAll(() => h.close());

const push = (token: string, priority = 0) => ({
  channel: 'push',
  provider: 'android-firebase',
  subscription_id: token,
  resource_id: 21,
  priority,
});

/** Imports the profile with these subscriptions, one second after the previous import. */
async function importSubs(email: string, subscriptions: unknown[]): Promise<string> {
  h.clock.advance(1000);
  const res = expectOk(await call(h, 'profiles/import', { db_id: 1, data: { email, subscriptions } }));
  return res.profile_id as string;
}

async function launch(triggerId: number, email: string): Promise<string[]> {
  const res = expectOk(await call(h, BATCH, { trigger_id: triggerId, data: [{ data: { email } }] }));
  const profileId = (res.result as { profile_id: string }[])[0].profile_id;
  return messagesOf(h, profileId)
    .filter((m) => m.trigger_id === triggerId)
    .map((m) => String(m.address));
}

describe('push_sending_mode', () => {
  it('last: only the most recently updated push subscription, even one of a lower priority', async () => {
    const email = 'push.last@example.com';
    await importSubs(email, [push('TOKEN-A', 0)]);
    await importSubs(email, [push('TOKEN-B', 0)]);
    // Updated last, and with the lowest priority (a higher number) of the three.
    await importSubs(email, [push('TOKEN-C', 9)]);
    const sent = await launch(lastTrigger, email);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('TOKEN-C');
  });

  it('last: among subscriptions updated at the same instant, the first by address', async () => {
    const email = 'push.tie@example.com';
    await importSubs(email, [push('TOKEN-Z'), push('TOKEN-M'), push('TOKEN-Q')]);
    const sent = await launch(lastTrigger, email);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('TOKEN-M');
  });

  it('fanout (the default): every subscribed push subscription', async () => {
    const email = 'push.fanout@example.com';
    await importSubs(email, [push('TOKEN-1', 0), push('TOKEN-2', 5)]);
    await importSubs(email, [{ ...push('TOKEN-3', 0), status: 'unsubscribed' }]);
    const sent = await launch(99, email);
    expect(sent.sort()).toEqual([expect.stringContaining('TOKEN-1'), expect.stringContaining('TOKEN-2')]);
  });
});
