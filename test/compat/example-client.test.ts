// The example in examples/altcraft-client.mjs — axios, token in the body, POST to
// …/api/v1.1/<method> — run as a user runs it against `herald serve --provision provision/demo.json`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../helpers/demo-server.js';
import { ROOT } from '../helpers/herald-process.js';

const run = promisify(execFile);

describe('examples/altcraft-client.mjs against the demo server', () => {
  let server: DemoServer;
  beforeAll(async () => {
    server = await startDemoServer();
  }, 180_000);
  afterAll(() => server?.close());

  it('runs to the end and its calls have their effect', async () => {
    const { stdout } = await run(process.execPath, ['examples/altcraft-client.mjs'], {
      cwd: ROOT,
      env: { ...process.env, HERALD_URL: server.url },
    });
    expect(stdout).toContain('database 1: Customers');
    expect(stdout).toMatch(/profile [0-9a-f]{24} imported/);
    expect(stdout).toContain('trigger 96 launched for 1 profile(s)');
    expect(stdout).toContain('batch: 2 profiles imported and launched');
    expect(stdout).toContain('profiles/get: Ada Lovelace, 1 subscription(s)');
    const res = await fetch(`${server.url}/api/v1.1/messages/list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'abcdefghijklmnqrstuvwxyz', trigger_id: 96 }),
    });
    const body = (await res.json()) as { data: { address: string }[] };
    expect(body.data.map((m) => m.address).sort()).toEqual([
      'ada@example.com',
      'alan@example.com',
      'grace@example.com',
    ]);
  }, 180_000);

  it('exits 1 naming the method and Altcraft error when the token is wrong', async () => {
    const failed = await run(process.execPath, ['examples/altcraft-client.mjs'], {
      cwd: ROOT,
      env: { ...process.env, HERALD_URL: server.url, HERALD_TOKEN: 'wrong-token-wrong-token-' },
    }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/^databases\/list: error \d+: /);
  }, 180_000);
});
