// A request and a change to the account's configuration that commits while the request is in
// flight — after its token was looked up and its catalog read, before its transaction — are
// applied as if one came after the other: the request is checked again against the new
// configuration. The change is made through the API, at that exact moment, by running it when the
// store answers the request's token lookup. (That a change waits for a transaction holding the
// configuration is the store contract's "a change waits for a transaction holding the
// configuration".)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH, call, count, SINGLE, startApi } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';
import { expectError, expectOk } from '../helpers/manage.js';

let h: Harness;
/** Runs once, right after the next token lookup returns (before the request's transaction). */
let between: (() => Promise<unknown>) | undefined;

beforeAll(async () => {
  h = await startApi();
  const findToken = h.store.findToken.bind(h.store);
  h.store.findToken = async (hash: string) => {
    const record = await findToken(hash);
    const step = between;
    between = undefined;
    if (step) await step();
    return record;
  };
});
afterAll(() => h.close());

let seq = 0;
const uniq = (tag: string) => `${tag}.${++seq}@example.com`;
const activeEmail = {
  name: 'Racy',
  send_channel: 'email',
  trigger_type: 'api_call',
  content: [{ message_id: 5 }],
  is_active: true,
  resource_id: 21,
  list_id: 1,
  skip_minutes: 30,
};

async function newTrigger(): Promise<number> {
  return (expectOk(await call(h, 'campaigns/triggers/add', activeEmail)).data as { id: number }).id;
}

function items(n: number) {
  return Array.from({ length: n }, () => {
    const email = uniq('race');
    return { data: { email, subscriptions: [{ channel: 'email', resource_id: 21, email }] } };
  });
}

const messages = (triggerId: number) => count(h, 'messages', 'trigger_id = ?', triggerId);

describe('a configuration change that commits while a launch is in flight', () => {
  it('deactivate with abort_if_running: the launch is refused as if it came after, and nothing is imported', async () => {
    const id = await newTrigger();
    const data = items(3);
    const profilesBefore = count(h, 'profiles');
    between = () => call(h, 'campaigns/deactivate', { id, abort_if_running: true });
    expectError(await call(h, BATCH, { trigger_id: id, data }), 400);
    expect(between).toBeUndefined();
    expect(messages(id)).toBe(0);
    expect(count(h, 'profiles')).toBe(profilesBefore);
  });

  it('a deleted trigger: the single launch is answered 404 and schedules nothing', async () => {
    const id = await newTrigger();
    between = () => call(h, 'campaigns/triggers/delete', { id });
    expectError(await call(h, SINGLE, { trigger_id: id, data: items(1)[0].data }), 404);
    expect(messages(id)).toBe(0);
  });

  it('a change that does not concern the launch: it is checked again and goes through', async () => {
    const id = await newTrigger();
    const other = await newTrigger();
    between = () => call(h, 'campaigns/deactivate', { id: other });
    const res = expectOk(await call(h, BATCH, { trigger_id: id, data: items(2) }));
    expect(res.result).toHaveLength(2);
    expect(messages(id)).toBe(2);
  });

  it('a keyed request is checked again too, and its replay answers the same', async () => {
    const id = await newTrigger();
    const data = items(2);
    between = () => call(h, 'campaigns/deactivate', { id, abort_if_running: true });
    const opts = { query: `request_id=race-${id}` };
    const first = await call(h, BATCH, { trigger_id: id, data }, opts);
    expectError(first, 400);
    const replay = await call(h, BATCH, { trigger_id: id, data }, opts);
    expect(replay.json).toEqual(first.json);
    expect(messages(id)).toBe(0);
  });
});
