// End to end through the client SDK: a real `herald serve` (demo provisioning) driven only by
// HeraldClient — batch import, a task polled to completion, the message log until delivery,
// trigger management from add to delete, profiles, request keys and typed errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldClient, HeraldError, type ImportItem, type Message } from '../../src/client/index.js';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.js';
import { TOKEN } from '../helpers/harness.js';

let server: DemoServer;
let client: HeraldClient;

const item = (n: number): ImportItem => ({
  data: {
    email: `client${n}@example.com`,
    _fname: `Client ${n}`,
    CRM_ID: n,
    subscriptions: [{ channel: 'email', resource_id: 21, email: `client${n}@example.com` }],
  },
});

/** Polls messages/list until every message of the filter has left `scheduled`/`sending`. */
async function settled(filter: { trigger_id: number; profile_id?: string }, expected: number): Promise<Message[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const page = await client.call('messages/list', { ...filter, limit: 1000 });
    if (page.total_count >= expected && page.data.every((m) => m.status !== 'scheduled' && m.status !== 'sending'))
      return page.data;
    if (Date.now() > deadline)
      throw new Error(`messages not delivered in time: ${JSON.stringify(page.data.map((m) => m.status))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  server = await startDemoServer();
  client = new HeraldClient({ baseUrl: server.url, token: TOKEN });
}, 120_000);
afterAll(() => server?.close());

describe('the client against herald serve', () => {
  it('imports a batch and launches trigger 96; the messages are delivered and listed', async () => {
    const res = await client.call('campaigns/triggers/import_and_start_batch', {
      trigger_id: 96,
      data: [item(1), item(2), { data: { email: 'not an email' } }],
    });
    expect(res.result).toHaveLength(2);
    expect(res.errors).toEqual([expect.objectContaining({ index: 2, error: 400 })]);
    const messages = await settled({ trigger_id: 96 }, 2);
    expect(messages.map((m) => [m.status, m.address, m.channel])).toEqual([
      ['sent', 'client1@example.com', 'email'],
      ['sent', 'client2@example.com', 'email'],
    ]);
    expect(messages[0].sent_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const one = await client.call('messages/list', { profile_id: res.result[1].profile_id, status: 'sent' });
    expect(one.data.map((m) => m.address)).toEqual(['client2@example.com']);
    const counters = await client.call('campaigns/status', { id: 96 });
    expect(counters.data).toEqual({
      is_active: true,
      scheduled: 0,
      sent: 2,
      failed: 0,
      skipped: 0,
      delivered: 0,
      bounced_hard: 0,
      bounced_soft: 0,
      complained: 0,
      opened: 0,
      opened_unique: 0,
      clicked: 0,
      clicked_unique: 0,
      unsubscribed: 0,
      suppressed: 0,
    });
    const log = await client.call('campaigns/log_v2', { id: 96 });
    expect(log.data.map((e) => e.event)).toEqual(['launch', 'sent', 'sent']);
  });

  it('runs an import task and polls tasks/status until it completes', async () => {
    const { data } = await client.call('campaigns/triggers/import_and_start_batch_task', {
      trigger_id: 85,
      data: [item(3), item(4), item(5)],
    });
    expect(data.task_id).toMatch(/^task_[0-9a-f-]{36}$/);
    const progress: number[] = [];
    const done = await client.waitForTask(data.task_id, {
      intervalMs: 50,
      timeoutMs: 30_000,
      onProgress: (s) => progress.push(s.progress),
    });
    expect(done.status).toBe('completed');
    expect(done.progress).toBe(100);
    expect(progress.at(-1)).toBe(100);
    expect(done.result).toEqual({
      result: [expect.objectContaining({ profile_id: expect.any(String) }), expect.anything(), expect.anything()],
    });
    await settled({ trigger_id: 85 }, 3);
  });

  it('finds a profile by several matching modes, with its subscriptions', async () => {
    const byEmail = await client.call('profiles/get', { db_id: 1, email: 'client1@example.com' });
    expect(byEmail.data).toMatchObject({ db_id: 1, email: 'client1@example.com', _fname: 'Client 1', CRM_ID: 1 });
    expect(byEmail.data.subscriptions).toEqual([
      expect.objectContaining({ channel: 'email', resource_id: 21, email: 'client1@example.com', status: 0 }),
    ]);
    const byId = await client.call('profiles/get', { db_id: 1, matching: 'profile_id', profile_id: byEmail.data.id });
    expect(byId.data.id).toBe(byEmail.data.id);
    const bySub = await client.call('profiles/get', {
      db_id: 1,
      matching: 'email_sub',
      email: 'client1@example.com',
      resource_id: 21,
    });
    expect(bySub.data.id).toBe(byEmail.data.id);
    const byCustom = await client.call('profiles/get', {
      db_id: 1,
      matching: 'custom',
      field_name: 'CRM_ID',
      field_value: 1,
    });
    expect(byCustom.data.id).toBe(byEmail.data.id);
  });

  it('manages a trigger from add to delete', async () => {
    const added = await client.call('campaigns/triggers/add', {
      name: 'Client test',
      trigger_type: 'api_call',
      send_channel: 'email',
      resource_id: 21,
      list_id: 1,
      ui_tags: ['sdk'],
      content: [{ message_id: 5 }],
    });
    const id = added.data.id;
    expect(added.data).toMatchObject({
      name: 'Client test',
      is_active: false,
      send_channel: 'email',
      ui_tags: ['sdk'],
    });
    expect((await client.call('campaigns/triggers/get', { id })).data.name).toBe('Client test');
    const updated = await client.call('campaigns/triggers/update', { id, description: 'made by the SDK test' });
    expect(updated.data.description).toBe('made by the SDK test');
    const tagged = await client.call('campaigns/triggers/list', { ui_tags: ['sdk'] });
    expect(tagged.data.map((t) => t.id)).toEqual([id]);
    expect(tagged.total_count).toBe(1);
    expect((await client.call('campaigns/activate', { id })).data).toBeNull();
    expect((await client.call('campaigns/status', { id })).data.is_active).toBe(true);
    const clone = await client.call('campaigns/triggers/clone', { id });
    expect((await client.call('campaigns/triggers/get', { id: clone.data.saved_id })).data).toMatchObject({
      name: 'Clone of Client test',
      is_active: false,
    });
    await client.call('campaigns/deactivate', { id, abort_if_running: true });
    expect(await client.call('campaigns/triggers/delete', { id })).toEqual({});
    expect(await client.call('campaigns/triggers/delete', { id: clone.data.saved_id })).toEqual({});
    const gone = await client.call('campaigns/triggers/get', { id }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(HeraldError);
    expect(gone).toMatchObject({ code: 404, logId: expect.stringMatching(/^[0-9a-f]+$/) });
  });

  it('applies a write once per Request-ID', async () => {
    const first = await client.call(
      'profiles/import',
      { db_id: 1, data: { email: 'keyed@example.com', CRM_ID: 77 } },
      { requestId: 'sdk-key-1' },
    );
    const again = await client.call(
      'profiles/import',
      { db_id: 1, data: { email: 'keyed@example.com', CRM_ID: 77 } },
      { requestId: 'sdk-key-1' },
    );
    expect(again).toEqual(first);
  });

  it('surfaces token and parameter errors as HeraldError', async () => {
    const anonymous = new HeraldClient({ baseUrl: server.url });
    await expect(anonymous.call('databases/list', {})).rejects.toMatchObject({ name: 'HeraldError', code: 401 });
    await expect(client.withToken('wrong-token-0123456789').call('databases/list', {})).rejects.toMatchObject({
      code: 401,
      text: expect.stringContaining('Invalid API token'),
    });
    // A wrong type passed past the types (as JavaScript callers can) is the server's 400 with its path.
    const bad: unknown = await client
      .call('campaigns/status', { id: 'x' as unknown as number })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(HeraldError);
    expect(bad).toMatchObject({ code: 400, debug: expect.stringContaining('id') });
  });
});
