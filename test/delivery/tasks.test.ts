// Tasks (spec 05): import_and_start_batch_task and start_batch_task are checked when submitted,
// stored with their request, run by the workers' task runner chunk by chunk (driven here by
// tick() and a fake clock), and tasks/status shows the synchronous method's payload. A task
// interrupted by a restart resumes where it was: no item runs twice.
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../src/core/catalog/cache.js';
import { WIRES } from '../../src/http/codecs/wires.js';
import { TaskRunner } from '../../src/core/tasks/runner.js';
import { call, count, FIXTURE, messagesOf, OTHER_TOKEN, READ_TOKEN, rows, WRITE_TOKEN } from '../helpers/api.js';
import { injectFault, onRowWrite } from '../helpers/faults.js';
import { startHarness, TEST_STORE, type Harness, type Response } from '../helpers/harness.js';

const IMPORT_TASK = 'campaigns/triggers/import_and_start_batch_task';
const START_TASK = 'campaigns/triggers/start_batch_task';
const MINUTE = 60_000;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ provision: FIXTURE });
});
afterEach(async () => {
  await h.close();
});

const runner = (harness: Harness, chunkSize = 1000) =>
  new TaskRunner(
    {
      store: harness.store,
      env: {
        clock: harness.clock,
        geo: { lookup: () => undefined },
        singleWriter: harness.store.capabilities.singleWriter,
      },
      catalogs: new CatalogCache(harness.store),
      wires: WIRES,
      log: pino({ level: 'silent' }),
    },
    { leaseMs: MINUTE, pollMs: 1000, chunkSize },
  );

const status = (id: string, token = WRITE_TOKEN) => h.post('tasks/status', { token, task_id: id });
const taskId = (res: Response): string => {
  expect(res.status, res.body).toBe(200);
  expect(Object.keys(res.json)).toEqual(['error', 'error_text', 'data']);
  const id = (res.json.data as { task_id: string }).task_id;
  expect(id).toMatch(/^task_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  return id;
};

/** Items with one bad field (index 1) and one invalid subscription (index 3). */
const items = (tag: string) => [
  {
    data: {
      email: `one.${tag}@example.com`,
      _fname: 'One',
      subscriptions: [{ channel: 'email', resource_id: 21, email: `one.${tag}@example.com` }],
    },
  },
  { data: { email: `two.${tag}@example.com`, shoe_size: 42 } },
  { data: { email: `three.${tag}@example.com` } },
  { data: { email: `four.${tag}@example.com`, subscriptions: [{ channel: 'fax', resource_id: 21 }] } },
  { data: { email: `five.${tag}@example.com` } },
];

/** A payload with each profile id replaced by its profile's email, the tag taken out. */
function byEmail(payload: unknown, tag: string): unknown {
  const p = payload as { result: { profile_id: string }[]; errors?: unknown[] };
  const emailOf = (id: string) =>
    (
      JSON.parse(rows<{ fields: string }>(h, 'SELECT fields FROM profiles WHERE id = ?', id)[0].fields) as {
        email: string;
      }
    ).email;
  return { ...p, result: p.result.map((r) => ({ profile_id: emailOf(r.profile_id).replace(tag, 'TAG') })) };
}

describe('import_and_start_batch_task', () => {
  it('is stored, run by a worker tick, and completes with the synchronous payload', async () => {
    const sync = await call(h, 'campaigns/triggers/import_and_start_batch', { trigger_id: 96, data: items('sync') });
    const profiles = count(h, 'profiles');
    const id = taskId(await call(h, IMPORT_TASK, { trigger_id: 96, data: items('task'), content: { page: 'p' } }));
    expect((await status(id)).json).toEqual({
      error: 0,
      error_text: 'Successful operation',
      data: { status: 'pending', progress: 0, result: null },
    });
    expect(count(h, 'profiles')).toBe(profiles);
    // The stored request is the decoded parameters, never the token.
    expect(rows<{ request: string }>(h, 'SELECT request FROM tasks WHERE id = ?', id)[0].request).not.toContain(
      WRITE_TOKEN,
    );

    expect(await runner(h).tick()).toBe(true);
    const done = await status(id);
    expect(done.json.data).toMatchObject({ status: 'completed', progress: 100 });
    const result = (done.json.data as { result: unknown }).result;
    expect(byEmail(result, 'task')).toEqual(byEmail({ result: sync.json.result, errors: sync.json.errors }, 'sync'));
    expect((result as { errors: { index: number }[] }).errors.map((e) => e.index)).toEqual([1, 3]);
    expect(count(h, 'profiles')).toBe(profiles + 3);
    expect(await runner(h).tick()).toBe(false);
  });

  it('runs chunk by chunk with integer progress, all chunks sharing one launch', async () => {
    const id = taskId(
      await call(h, IMPORT_TASK, {
        trigger_id: 96,
        data: items('chunks'),
        attach: { name: 'a.txt', data: 'data:text/plain;base64,aGk=' },
      }),
    );
    // A runner that stops after one chunk keeps the lease: nobody else takes the task until it runs out.
    expect(await runner(h, 2).tick(1)).toBe(true);
    expect((await status(id)).json.data).toEqual({ status: 'running', progress: 40, result: null });
    expect(await runner(h, 2).tick(1)).toBe(false);
    h.clock.advance(MINUTE + 1);
    expect(await runner(h, 2).tick(1)).toBe(true);
    expect((await status(id)).json.data).toMatchObject({ status: 'running', progress: 80 });
    h.clock.advance(MINUTE + 1);
    await runner(h, 2).tick();
    const data = (await status(id)).json.data as { status: string; result: { result: { profile_id: string }[] } };
    expect(data.status).toBe('completed');
    const launches = new Set(data.result.result.flatMap((r2) => messagesOf(h, r2.profile_id).map((m) => m.launch_id)));
    expect(launches.size).toBe(1);
    expect(count(h, 'attachments', 'launch_id = ?', [...launches][0])).toBe(1);
  });

  it('resumes after a restart where it was: no item imported twice, each message scheduled once', async () => {
    const first = await startHarness({ provision: FIXTURE, keep: true });
    const dir = first.dir;
    const data = Array.from({ length: 7 }, (_, i) => ({
      data: {
        email: `restart.${i}@example.com`,
        subscriptions: [{ channel: 'email', resource_id: 21, email: `restart.${i}@example.com` }],
      },
    }));
    const submitted = await first.post(IMPORT_TASK, { token: WRITE_TOKEN, trigger_id: 96, data });
    const id = (submitted.json.data as { task_id: string }).task_id;
    await runner(first, 3).tick(1);
    await first.close();

    const second = await startHarness({ provision: FIXTURE, dir });
    try {
      const seen = await second.post('tasks/status', { token: WRITE_TOKEN, task_id: id });
      expect(seen.json.data).toEqual({ status: 'running', progress: 42, result: null });
      // The dead runner's lease must run out first.
      expect(await runner(second, 3).tick()).toBe(false);
      second.clock.advance(MINUTE + 1);
      expect(await runner(second, 3).tick()).toBe(true);
      const done = await second.post('tasks/status', { token: WRITE_TOKEN, task_id: id });
      const result = (done.json.data as { result: { result: { profile_id: string }[] } }).result.result;
      expect(done.json.data).toMatchObject({ status: 'completed', progress: 100 });
      expect(result).toHaveLength(7);
      const count2 = (sql: string) => second.sql<{ n: number }>(sql)[0].n;
      expect(count2("SELECT count(*) AS n FROM profiles WHERE CAST(fields AS TEXT) LIKE '%restart.%'")).toBe(7);
      expect(count2("SELECT count(*) AS n FROM messages WHERE address LIKE 'restart.%'")).toBe(7);
      expect(count2("SELECT count(DISTINCT address) AS n FROM messages WHERE address LIKE 'restart.%'")).toBe(7);
      expect(count2("SELECT count(DISTINCT launch_id) AS n FROM messages WHERE address LIKE 'restart.%'")).toBe(1);
      const ids = result.map((r) => r.profile_id);
      const emails = ids.map(
        (p) =>
          (
            JSON.parse(second.sql<{ fields: string }>('SELECT fields FROM profiles WHERE id = ?', p)[0].fields) as {
              email: string;
            }
          ).email,
      );
      expect(emails).toEqual(data.map((d) => d.data.email));
    } finally {
      await second.close();
    }
  });

  it('checks the trigger again when it runs: a deactivated trigger fails the task', async () => {
    const id = taskId(await call(h, IMPORT_TASK, { trigger_id: 85, data: items('inactive') }));
    h.exec('UPDATE triggers SET is_active = FALSE WHERE id = 85');
    h.exec('UPDATE accounts SET config_version = config_version + 1 WHERE id = 1');
    await runner(h).tick();
    expect((await status(id)).json.data).toEqual({
      status: 'failed',
      progress: 0,
      result: { error: 400, error_text: 'Invalid request', error_debug: 'trigger 85 is not active' },
    });
    expect(count(h, 'profiles', "CAST(fields AS TEXT) LIKE '%inactive%'")).toBe(0);
  });

  it('checks the trigger again between chunks of one run: a deactivate with abort_if_running fails the rest', async () => {
    const id = taskId(await call(h, IMPORT_TASK, { trigger_id: 85, data: items('midway') }));
    // The runner's store runs a real deactivate (through the API) right after its first chunk commits.
    let afterFirstChunk: (() => Promise<unknown>) | undefined = () =>
      call(h, 'campaigns/deactivate', { id: 85, abort_if_running: true });
    const store = new Proxy(h.store, {
      get: (target, prop) => {
        if (prop === 'transaction') {
          return async <T>(fn: Parameters<typeof target.transaction<T>>[0]) => {
            const result = await target.transaction(fn);
            const step = afterFirstChunk;
            afterFirstChunk = undefined;
            await step?.();
            return result;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const midway = new TaskRunner(
      {
        store,
        env: { clock: h.clock, geo: { lookup: () => undefined }, singleWriter: h.store.capabilities.singleWriter },
        catalogs: new CatalogCache(h.store),
        wires: WIRES,
        log: pino({ level: 'silent' }),
      },
      { leaseMs: MINUTE, pollMs: 1000, chunkSize: 2 },
    );
    expect(await midway.tick()).toBe(true);
    expect((await status(id)).json.data).toEqual({
      status: 'failed',
      progress: 40,
      result: { error: 400, error_text: 'Invalid request', error_debug: 'trigger 85 is not active' },
    });
    // Only the first chunk ran (one of its two items was rejected); its message was cancelled.
    expect(count(h, 'profiles', "CAST(fields AS TEXT) LIKE '%midway%'")).toBe(1);
    expect(rows<{ status: string }>(h, 'SELECT status FROM messages WHERE trigger_id = 85')).toEqual([
      { status: 'cancelled' },
    ]);
  });

  // The stop comes from inside the chunk's own transaction (a SQLite function called by a trigger
  // on the task's progress row): the runner is stopped while that chunk is being written.
  it.skipIf(TEST_STORE !== 'sqlite')(
    'a runner stopped mid-chunk commits that chunk, gives the task back, and the next runner resumes it at once',
    async () => {
      const id = taskId(await call(h, IMPORT_TASK, { trigger_id: 96, data: items('stopped') }));
      const stopped = runner(h, 2);
      const db = (h.sqlite as NonNullable<Harness['sqlite']>).db;
      db.function('herald_test_stop', () => {
        void stopped.stop();
        return 0;
      });
      db.exec(
        'CREATE TEMP TRIGGER herald_test_stop_runner AFTER UPDATE OF done ON tasks WHEN NEW.done = 2 BEGIN SELECT herald_test_stop(); END',
      );
      expect(await stopped.tick()).toBe(true);
      expect((await status(id)).json.data).toEqual({ status: 'running', progress: 40, result: null });
      expect(count(h, 'profiles', "CAST(fields AS TEXT) LIKE '%stopped%'")).toBe(1);
      // Given back, not left leased: another runner takes it up without waiting for the lease.
      expect(await runner(h, 2).tick()).toBe(true);
      expect((await status(id)).json.data).toMatchObject({ status: 'completed', progress: 100 });
      expect(count(h, 'profiles', "CAST(fields AS TEXT) LIKE '%stopped%'")).toBe(3);
      expect(count(h, 'messages', "address LIKE '%stopped%'")).toBe(1);
    },
  );

  it('a chunk that fails unexpectedly writes nothing, stays claimed until its lease runs out, and is retried', async () => {
    const id = taskId(await call(h, IMPORT_TASK, { trigger_id: 96, data: items('flaky') }));
    // Chunk 2 (items 2 and 3) writes the profile three.flaky: that statement fails.
    const heal = injectFault(h, {
      table: 'profiles',
      op: 'INSERT',
      when: "CAST(NEW.fields AS TEXT) LIKE '%three.flaky%'",
      message: 'disk I/O error',
    });
    expect(await runner(h, 2).tick()).toBe(true);
    expect((await status(id)).json.data).toEqual({ status: 'running', progress: 40, result: null });
    expect(count(h, 'profiles', "CAST(fields AS TEXT) LIKE '%flaky%'")).toBe(1);
    expect(await runner(h, 2).tick()).toBe(false);
    h.clock.advance(MINUTE + 1);
    expect(await runner(h, 2).tick()).toBe(true);
    expect((await status(id)).json.data).toEqual({ status: 'running', progress: 40, result: null });
    heal();
    h.clock.advance(MINUTE + 1);
    expect(await runner(h, 2).tick()).toBe(true);
    expect((await status(id)).json.data).toMatchObject({ status: 'completed', progress: 100 });
    expect(count(h, 'profiles', "CAST(fields AS TEXT) LIKE '%flaky%'")).toBe(3);
    expect(rows<{ attempts: number }>(h, 'SELECT attempts FROM tasks WHERE id = ?', id)[0].attempts).toBe(3);
  });

  it('a chunk that keeps failing is given up after five claims: the task fails with 500, what committed stays', async () => {
    const id = taskId(await call(h, IMPORT_TASK, { trigger_id: 96, data: items('doomed') }));
    injectFault(h, {
      table: 'profiles',
      op: 'INSERT',
      when: "CAST(NEW.fields AS TEXT) LIKE '%three.doomed%'",
      message: 'disk I/O error',
    });
    for (let claim = 1; claim <= 5; claim++) {
      expect(await runner(h, 2).tick()).toBe(true);
      expect((await status(id)).json.data).toMatchObject({ status: 'running', progress: 40 });
      h.clock.advance(MINUTE + 1);
    }
    expect(await runner(h, 2).tick()).toBe(true);
    expect((await status(id)).json.data).toEqual({
      status: 'failed',
      progress: 40,
      result: {
        error: 500,
        error_text: 'Internal error',
        error_debug: 'the task failed 5 times unexpectedly and was given up',
      },
    });
    expect(count(h, 'profiles', "CAST(fields AS TEXT) LIKE '%doomed%'")).toBe(1);
    expect(await runner(h, 2).tick()).toBe(false);
  });

  it('a configuration change that commits between two chunks: the rest is checked again and runs, each item once', async () => {
    const id = taskId(await call(h, IMPORT_TASK, { trigger_id: 96, data: items('between') }));
    // The change commits with the first chunk (a bump of the account's config version, as any
    // management change makes), so the second chunk's transaction finds the catalog moved on.
    onRowWrite(
      h,
      { table: 'tasks', op: 'UPDATE', when: 'NEW.done = 2 AND OLD.done = 0' },
      'UPDATE accounts SET config_version = config_version + 1 WHERE id = 1',
    );
    const version = rows<{ v: number }>(h, 'SELECT config_version AS v FROM accounts WHERE id = 1')[0].v;
    // Two chunks in this round: the one checked again counts as the second.
    expect(await runner(h, 2).tick(2)).toBe(true);
    expect(rows<{ v: number }>(h, 'SELECT config_version AS v FROM accounts WHERE id = 1')[0].v).toBe(version + 1);
    expect((await status(id)).json.data).toEqual({ status: 'running', progress: 80, result: null });
    expect(await runner(h, 2).tick()).toBe(false);
    h.clock.advance(MINUTE + 1);
    expect(await runner(h, 2).tick()).toBe(true);
    const done = (await status(id)).json.data as {
      status: string;
      result: { result: { profile_id: string }[]; errors: { index: number }[] };
    };
    expect(done.status).toBe('completed');
    expect(done.result.errors.map((e) => e.index)).toEqual([1, 3]);
    expect(count(h, 'profiles', "CAST(fields AS TEXT) LIKE '%between%'")).toBe(3);
    const launches = new Set(done.result.result.flatMap((r) => messagesOf(h, r.profile_id).map((m) => m.launch_id)));
    expect(launches.size).toBe(1);
  });

  it('is validated when submitted: 400/404 at once, no task made (JSON and XML)', async () => {
    const bad: [Record<string, unknown>, number, RegExp][] = [
      [{ trigger_id: 98, data: items('x') }, 400, /trigger 98 is not active/],
      [{ trigger_id: 4242, data: items('x') }, 404, /trigger 4242 not found/],
      [{ trigger_id: 96, data: [] }, 400, /^data: must not be empty$/],
      [{ trigger_id: 96 }, 400, /^data: is required$/],
      [
        { trigger_id: 96, matching: 'custom', field_name: 'nope', data: items('x') },
        400,
        /field 'nope' is not a custom field/,
      ],
      [
        { trigger_id: 97, data: items('x'), attach: { name: 'a', data: 'data:text/plain;base64,aGk=' } },
        400,
        /email triggers only/,
      ],
      [{ token: READ_TOKEN, trigger_id: 96, data: items('x') }, 403, /read token cannot call/],
      [{ token: OTHER_TOKEN, trigger_id: 96, data: items('x') }, 404, /trigger 96 not found/],
    ];
    for (const [body, code, debug] of bad) {
      const res = await call(h, IMPORT_TASK, body);
      expect(res.status, res.body).toBe(code);
      expect(res.json.error_debug).toMatch(debug);
    }
    const xml = await h.post(
      IMPORT_TASK,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>98</trigger_id><data><email>a@example.com</email></data></xml>`,
    );
    expect(xml.body).toBe(
      '<xml><error>400</error><error_debug>trigger 98 is not active</error_debug><error_text>Invalid request</error_text></xml>',
    );
    expect(count(h, 'tasks')).toBe(0);
  });

  it('speaks XML, and decodes XML items with the XML rules when it runs', async () => {
    const submit = await h.post(
      IMPORT_TASK,
      `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>xml.task@example.com</email><CRM_ID>12</CRM_ID><interests array="true">a</interests></data></xml>`,
    );
    const id = /<task_id>(task_[^<]+)<\/task_id>/.exec(submit.body)?.[1] as string;
    expect(submit.body).toBe(
      `<xml><error>0</error><error_text>Successful operation</error_text><data><task_id>${id}</task_id></data></xml>`,
    );
    const pending = await h.post('tasks/status', `<xml><token>${READ_TOKEN}</token><task_id>${id}</task_id></xml>`);
    expect(pending.body).toBe(
      '<xml><error>0</error><error_text>Successful operation</error_text><data><status>pending</status><progress>0</progress><result/></data></xml>',
    );
    await runner(h).tick();
    const done = await h.post('tasks/status', `<xml><token>${READ_TOKEN}</token><task_id>${id}</task_id></xml>`);
    const [p] = rows<{ id: string; fields: string }>(
      h,
      "SELECT id, fields FROM profiles WHERE CAST(fields AS TEXT) LIKE '%xml.task@%'",
    );
    expect(JSON.parse(p.fields)).toMatchObject({ CRM_ID: 12, interests: ['a'] });
    expect(done.body).toBe(
      `<xml><error>0</error><error_text>Successful operation</error_text><data><status>completed</status><progress>100</progress><result><result><profile_id>${p.id}</profile_id></result></result></data></xml>`,
    );
  });
});

describe('start_batch_task', () => {
  it('completes with exactly the payload start_batch answers', async () => {
    const imported = await call(h, 'profiles/import_batch', {
      db_id: 1,
      data: [{ data: { email: 'sb.1@example.com' } }, { data: { email: 'sb.2@example.com' } }],
    });
    expect(imported.status).toBe(200);
    const body = {
      trigger_id: 96,
      data: [
        { email: 'sb.2@example.com' },
        { email: 'nobody@example.com' },
        { email: 'sb.1@example.com', custom_data: { a: 1 } },
        { phone: 'x' },
      ],
    };
    const sync = await call(h, 'campaigns/triggers/start_batch', body);
    const id = taskId(await call(h, START_TASK, { ...body, trigger_id: undefined, id: 96 }));
    await runner(h, 1).tick();
    const done = await status(id, READ_TOKEN);
    expect(done.json.data).toEqual({
      status: 'completed',
      progress: 100,
      result: { result: sync.json.result, errors: sync.json.errors },
    });
  });

  it("keeps the launch's timeout, subscription filter and attachment through the stored request", async () => {
    const [a, b] = ['sf.a@example.com', 'sf.b@example.com'];
    const sub = (email: string) => ({ channel: 'email', resource_id: 21, email });
    const imported = await call(h, 'profiles/import_batch', {
      db_id: 1,
      data: [{ data: { email: a, subscriptions: [sub(a), { ...sub(b), priority: 1 }] } }],
    });
    expect(imported.status, imported.body).toBe(200);
    const id = taskId(
      await call(h, START_TASK, {
        trigger_id: 96,
        timeout: { hours: 2, minutes: 5 },
        subscription_filter: { email: b },
        attach: { name: 'b.txt', data: 'data:text/plain;base64,aGk=' },
        data: [{ email: a }],
      }),
    );
    expect(await runner(h).tick()).toBe(true);
    const done = (await status(id)).json.data as { status: string; result: { result: { profile_id: string }[] } };
    expect(done.status).toBe('completed');
    const [m, ...more] = messagesOf(h, done.result.result[0].profile_id);
    expect(more).toEqual([]);
    expect(m).toMatchObject({ status: 'scheduled', address: b, due_at: h.clock.now() + 125 * MINUTE });
    expect(rows(h, 'SELECT name, mime FROM attachments WHERE launch_id = ?', m.launch_id)).toEqual([
      { name: 'b.txt', mime: 'text/plain' },
    ]);
  });
});

describe('tasks/status', () => {
  it("answers 404 for an unknown task, another account's task, an expired one; 400 without task_id", async () => {
    const id = taskId(await call(h, START_TASK, { trigger_id: 96, data: [{ email: 'x@example.com' }] }));
    expect((await status('task_00000000-0000-0000-0000-000000000000')).status).toBe(404);
    const other = await status(id, OTHER_TOKEN);
    expect(other.status).toBe(404);
    expect(other.json.error_debug).toBe(`task ${id} not found`);
    const missing = await h.post('tasks/status', { token: WRITE_TOKEN });
    expect(missing.status).toBe(400);
    expect(missing.json.error_debug).toBe('task_id: is required');
    // An id longer than any task id is refused without being echoed back.
    const long = await h.post('tasks/status', { token: WRITE_TOKEN, task_id: `task_${'x'.repeat(5000)}` });
    expect(long.status).toBe(400);
    expect(long.json.error_debug).toBe('task_id: is longer than 64 characters');

    await runner(h).tick();
    expect((await status(id)).json.data).toMatchObject({ status: 'completed' });
    h.clock.advance(7 * 24 * 60 * MINUTE - 1);
    expect((await status(id)).status).toBe(200);
    h.clock.advance(1);
    expect((await status(id)).status).toBe(404);
    const purged = await h.store.purge(0, h.clock.now() + 1);
    expect(purged.tasks).toBe(1);
    expect(count(h, 'task_parts')).toBe(0);
  });
});

describe('the engine runs tasks in its workers', () => {
  it('a task submitted to a server with workers completes by itself', async () => {
    const served = await startHarness({ provision: FIXTURE, env: { HERALD_WORKERS: '1' } });
    try {
      // Trigger 100 waits 30 minutes: nothing is due for delivery while the fake clock stands still.
      const res = await served.post(IMPORT_TASK, {
        token: WRITE_TOKEN,
        trigger_id: 100,
        data: [{ data: { email: 'served@example.com' } }],
      });
      const id = (res.json.data as { task_id: string }).task_id;
      // The submission woke the runner: the task completes without anyone driving it.
      const data = async () => (await served.post('tasks/status', { token: WRITE_TOKEN, task_id: id })).json.data;
      await expect.poll(data, { timeout: 20_000, interval: 20 }).toMatchObject({ status: 'completed', progress: 100 });
    } finally {
      await served.close();
    }
  });
});
