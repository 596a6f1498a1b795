// `herald import FILE` as an operator runs it: the built command on a temporary SQLite file
// (HERALD_DATABASE_URL) provisioned with the demo account, or against a running `herald serve`
// over HTTP. What lands is read back from the database file once the command has exited.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/core/provisioning/tokens.js';
import { readSqlite } from '../helpers/databases.js';
import { DEMO_PROVISION, TOKEN } from '../helpers/harness.js';
import { ensureBuilt, freePort, ROOT, spawnHerald, waitForHttp } from '../helpers/herald-process.js';
import { writeCsv } from '../helpers/import-files.js';

const BIN = join(ROOT, 'bin/herald.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Run> } {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HERALD_')) clean[k] = v;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

const herald = (args: string[], extra: Record<string, string> = {}): Promise<Run> =>
  start(args, { ...env, ...extra }).done;

let dir: string;
let dbFile: string;
let env: Record<string, string>;

beforeAll(() => ensureBuilt(), 120_000);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-import-'));
  dbFile = join(dir, 'herald.db');
  env = { HERALD_DATABASE_URL: `sqlite:${dbFile}`, HERALD_LOG_LEVEL: 'silent' };
  expect((await herald(['apply', DEMO_PROVISION])).code).toBe(0);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Reads the file the CLI wrote. */
const query = <T>(sql: string, ...params: unknown[]): T[] => readSqlite<T>(dbFile, sql, ...params);

const countOf = (table: string, where = '1 = 1'): number =>
  query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)[0].n;

function profileFields(email: string): Record<string, unknown> {
  const [row] = query<{ fields: string }>(
    "SELECT fields FROM profiles WHERE json_extract(fields, '$.email') = ?",
    email,
  );
  return row ? (JSON.parse(row.fields) as Record<string, unknown>) : {};
}

function errorLines(file: string): Record<string, unknown>[] {
  return readFileSync(`${file}.errors.jsonl`, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('herald import: CSV', () => {
  it('imports profiles with subscriptions and schedules one message per row', async () => {
    const file = write(
      'customers.csv',
      [
        'email,_fname,CRM_ID,interests:json,sub.email.21,sub.sms.21,sub.email.21.priority',
        'ann@example.com,Ann,1,"[""shoes"",""hats""]",ann@example.com,+7 900 123-45-67,1',
        'bob@example.com,"Bob ""B"", Jr",2,,bob@example.com,,',
        'cy@example.com,Cy,,,,,',
      ].join('\n'),
    );
    const run = await herald(['import', file, '--trigger', '96']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^imported ${file}: 3 rows, 3 imported in \\d+:\\d\\d \\([\\d,]+ rows/s\\)\\n$`),
    );
    expect(run.stderr).toContain(`importing ${file} (0.0 MB, CSV) into trigger 96 (database 1) on the local storage`);

    expect(profileFields('ann@example.com')).toEqual({
      email: 'ann@example.com',
      _fname: 'Ann',
      CRM_ID: 1,
      interests: ['shoes', 'hats'],
    });
    // An empty cell leaves the field out; quotes and commas inside a quoted cell are kept.
    expect(profileFields('bob@example.com')).toEqual({ email: 'bob@example.com', _fname: 'Bob "B", Jr', CRM_ID: 2 });
    const subs = query<{ channel: string; address: string; priority: number }>(
      "SELECT channel, address, priority FROM subscriptions JOIN profiles ON profiles.seq = subscriptions.profile_seq WHERE json_extract(fields, '$.email') = 'ann@example.com' ORDER BY channel",
    );
    expect(subs).toEqual([
      { channel: 'email', address: 'ann@example.com', priority: 1 },
      { channel: 'sms', address: '+79001234567', priority: 0 },
    ]);
    // One launch per row: scheduled where the trigger's resource has an email subscription,
    // recorded as skipped (not failed) where the profile has none.
    const messages = query<{ address: string | null; status: string }>(
      'SELECT address, status FROM messages WHERE trigger_id = 96 ORDER BY id',
    );
    expect(messages.map((m) => m.status)).toEqual(['scheduled', 'scheduled', 'skipped']);
    expect(messages.slice(0, 2).map((m) => m.address)).toEqual(['ann@example.com', 'bob@example.com']);
    // Nothing is left beside the file, and the session's token is revoked.
    expect(existsSync(`${file}.herald-progress`)).toBe(false);
    expect(existsSync(`${file}.errors.jsonl`)).toBe(false);
    expect(query('SELECT hash FROM tokens WHERE revoked = 0')).toEqual([{ hash: hashToken(TOKEN) }]);
  });

  it('writes bad rows to the errors file with the reason and imports the rest', async () => {
    const file = write(
      'mixed.csv',
      [
        'email,CRM_ID,sub.email.21',
        'ok1@example.com,1,ok1@example.com',
        'bad-int@example.com,many,bad-int@example.com',
        'not-an-email,3,',
        'ok2@example.com,4,ok2@example.com,one cell too many',
        '',
        'ok3@example.com,5,ok3@example.com',
        ',,',
        ',6,',
      ].join('\r\n'),
    );
    const run = await herald(['import', file, '--trigger', '96', '--batch-size', '2']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`: 6 rows, 2 imported, 4 rejected (see ${file}.errors.jsonl) in `);
    const errors = errorLines(file);
    expect(errors.map((e) => [e.row, e.error])).toEqual([
      [2, 400],
      [3, 400],
      [4, 400],
      [6, 400],
    ]);
    expect(errors[0].reason).toBe('data.CRM_ID: expected an integer, got "many"');
    expect(errors[0].record).toEqual({
      email: 'bad-int@example.com',
      CRM_ID: 'many',
      'sub.email.21': 'bad-int@example.com',
    });
    expect(errors[1].reason).toMatch(/email/);
    expect(errors[2].reason).toBe('expected 3 cells, got 4');
    expect(errors[2].record).toEqual(['ok2@example.com', '4', 'ok2@example.com', 'one cell too many']);
    expect(errors[3].reason).toMatch(/matching email needs an email/);
    expect(countOf('profiles')).toBe(2);
    expect(countOf('messages', "status = 'scheduled'")).toBe(2);
    expect(existsSync(`${file}.herald-progress`)).toBe(false);
  });

  it('checks the header and the trigger before reading rows', async () => {
    const file = write('typo.csv', 'email,_fnmae,sub.email.99\nx@example.com,X,x@example.com\n');
    const run = await herald(['import', file, '--trigger', '96']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain('herald: CSV header: "_fnmae" is not a field that database 1 can import');

    const unknownTrigger = await herald(['import', file, '--trigger', '4040']);
    expect(unknownTrigger.stderr).toBe('herald: trigger 4040 does not exist\n');
    const wrongDb = await herald(['import', write('ok.csv', 'email\nx@example.com\n'), '--trigger', '96', '--db', '7']);
    expect(wrongDb.stderr).toContain('herald: trigger 96 imports into database 1, not 7');
    const neither = await herald(['import', file]);
    expect(neither.stderr).toBe('herald: import needs --trigger ID (import and launch) or --db ID (import only)\n');
    const missing = await herald(['import', join(dir, 'nope.csv'), '--trigger', '96']);
    expect(missing.stderr).toBe(`herald: cannot read ${join(dir, 'nope.csv')}: no such file\n`);
    const badSub = await herald(['import', write('sub.csv', 'email,sub.fax.21\nx@example.com,1\n'), '--trigger', '96']);
    expect(badSub.stderr).toContain('a subscription column is sub.<email|sms|push>.<resource_id>[.<key>]');

    expect(countOf('profiles')).toBe(0);
    expect(existsSync(`${file}.herald-progress`)).toBe(false);
    expect(existsSync(`${file}.errors.jsonl`)).toBe(false);
    // No session token is left behind by a refused import.
    expect(countOf('tokens', 'revoked = 0')).toBe(1);
  });

  it('stops at a CSV syntax error that makes the rest unreadable, after importing the rows before it', async () => {
    const file = write('broken.csv', 'email,_fname\na@example.com,A\nb@example.com,"B\nc@example.com,C\n');
    const run = await herald(['import', file, '--db', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/herald: import failed: CSV syntax error after data row 1: .*Quote Not Closed/);
    expect(countOf('profiles')).toBe(1);
  });
});

describe('herald import: JSON Lines', () => {
  it('takes items and bare profiles, skips blank lines and reports bad lines by line number', async () => {
    const file = write(
      'people.jsonl',
      [
        JSON.stringify({
          data: {
            email: 'j1@example.com',
            _fname: 'J1',
            subscriptions: [{ channel: 'email', resource_id: 21, email: 'j1@example.com' }],
          },
          custom_data: { source: 'crm' },
        }),
        '',
        JSON.stringify({
          email: 'j2@example.com',
          _lname: 'Two',
          subscriptions: [{ channel: 'email', resource_id: 21, email: 'j2@example.com' }],
        }),
        '{"email": "j3@example.com",',
        JSON.stringify({ email: 'j4@example.com', shoe_size: 44 }),
        '{"email": "j5@example.com", "_fname": "nul\\u0000"}',
      ].join('\n') + '\n',
    );
    const run = await herald(['import', file, '--trigger', '96']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(': 5 rows, 2 imported, 3 rejected');
    expect(run.stderr).toContain('(0.0 MB, JSON Lines)');
    const errors = errorLines(file);
    expect(errors.map((e) => [e.row, e.line])).toEqual([
      [3, 4],
      [4, 5],
      [5, 6],
    ]);
    expect(errors[0].reason).toMatch(/^invalid JSON/);
    expect(errors[0].record).toBe('{"email": "j3@example.com",');
    expect(errors[1].reason).toBe("data: field 'shoe_size' is not defined in database 1");
    expect(errors[2].reason).toBe('the row contains a NUL character (\\u0000)');
    expect(profileFields('j2@example.com')).toEqual({ email: 'j2@example.com', _lname: 'Two' });
    const custom = query<{ custom_data: string | null }>(
      "SELECT custom_data FROM messages WHERE address = 'j1@example.com'",
    );
    expect(JSON.parse(custom[0].custom_data ?? 'null')).toEqual({ source: 'crm' });
    expect(countOf('messages')).toBe(2);
  });

  it('--db imports without launching (profiles/import_batch) and --params adds root parameters', async () => {
    const file = write(
      'plain.ndjson',
      `${JSON.stringify({ email: 'p1@example.com', _ip: '8.8.8.8' })}\n${JSON.stringify({ email: 'p2@example.com' })}`,
    );
    const run = await herald(['import', file, '--db', '1', '--params', '{"detect_geo": true}']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(': 2 rows, 2 imported in ');
    expect(countOf('profiles')).toBe(2);
    expect(countOf('messages')).toBe(0);
    expect(profileFields('p1@example.com')._country).toBe('US');
  });
});

describe('herald import: interruption', () => {
  it('SIGINT stops after the batch in flight; a changed file is refused; --restart starts over', async () => {
    const file = join(dir, 'stop.csv');
    await writeCsv(file, 120_000);
    const first = start(['import', file, '--trigger', '96', '--batch-size', '1000'], env);
    await waitFor(() => progressRows(file) >= 5000, first.done);
    // One import of a file at a time.
    const second = await herald(['import', file, '--trigger', '96', '--batch-size', '1000']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`herald: another herald import of ${file} is running (pid ${first.child.pid})`);
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(
      /interrupted: [\d,]+ rows committed \([\d,]+ imported, 0 rejected\); run the same command again to resume/,
    );
    const state = JSON.parse(readFileSync(`${file}.herald-progress`, 'utf8')) as {
      rows: number;
      session: string | null;
    };
    expect(state.session).toBeNull();
    expect(countOf('profiles')).toBe(state.rows);
    expect(countOf('messages')).toBe(state.rows);
    // The session of a clean stop is closed: only the demo token is live.
    expect(countOf('tokens', 'revoked = 0')).toBe(1);

    // Batches of another size would not line up with the committed ones: refused.
    const otherOptions = await herald(['import', file, '--trigger', '96', '--batch-size', '500', '--resume']);
    expect(otherOptions.code).toBe(1);
    expect(otherOptions.stderr).toContain('the interrupted import used other options');
    appendFileSync(file, 'late@example.com,Late,Comer,+79009999999,999999,late@example.com\n');
    const changed = await herald(['import', file, '--trigger', '96', '--batch-size', '1000']);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('the file changed since the interrupted import. Run with --restart');

    const again = await herald(['import', file, '--trigger', '96', '--restart']);
    expect(again.stderr).toContain(`importing ${file} (`);
    expect(again.stderr).toContain('CSV) into trigger 96 (database 1) on the local storage, 5,000 rows a batch\n');
    expect(again.code).toBe(0);
    expect(countOf('profiles')).toBe(120_001);
    expect(existsSync(`${file}.herald-progress`)).toBe(false);
    expect(existsSync(`${file}.herald-lock`)).toBe(false);
  }, 120_000);

  it('after SIGKILL, running the command again imports every row exactly once', async () => {
    const rows = 150_000;
    const file = join(dir, 'kill.csv');
    await writeCsv(file, rows);
    const first = start(['import', file, '--trigger', '96', '--batch-size', '2000'], env);
    await waitFor(() => progressRows(file) >= 20_000, first.done);
    first.child.kill('SIGKILL');
    expect((await first.done).code).toBeNull();
    const committed = progressRows(file);
    expect(committed).toBeGreaterThanOrEqual(20_000);
    expect(committed).toBeLessThan(rows);
    // The killed run's lock is left behind, and taken over.
    expect(existsSync(`${file}.herald-lock`)).toBe(true);

    const second = await herald(['import', file, '--trigger', '96', '--batch-size', '2000']);
    expect(second.stderr).toContain(`resuming ${file} after row ${committed.toLocaleString('en-US')}`);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      `: ${rows.toLocaleString('en-US')} rows, ${rows.toLocaleString('en-US')} imported in `,
    );
    // Every row once: one profile and one launch each (a batch applied twice would launch twice).
    expect(countOf('profiles')).toBe(rows);
    expect(countOf('messages')).toBe(rows);
    expect(countOf('messages', "status = 'scheduled'")).toBe(rows);
    expect(query<{ n: number }>('SELECT count(DISTINCT profile_id) AS n FROM messages')[0].n).toBe(rows);
    expect(existsSync(`${file}.herald-progress`)).toBe(false);
    expect(existsSync(`${file}.errors.jsonl`)).toBe(false);
    expect(existsSync(`${file}.herald-lock`)).toBe(false);
    expect(countOf('tokens', 'revoked = 0')).toBe(1);
  }, 150_000);
});

describe('herald import --url', () => {
  it('sends the same batches to a running server over HTTP', async () => {
    const port = await freePort();
    const server = spawnHerald(['serve'], {
      cwd: dir,
      env: { ...env, HERALD_PORT: String(port), HERALD_HOST: '127.0.0.1', HERALD_WORKERS: '0' },
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/api/v1.1/`, server);
      const file = write(
        'remote.jsonl',
        [1, 2, 3].map((i) => JSON.stringify({ email: `r${i}@example.com`, CRM_ID: i === 2 ? 'two' : i })).join('\n'),
      );
      const run = await herald([
        'import',
        file,
        '--trigger',
        '96',
        '--url',
        `http://127.0.0.1:${port}`,
        '--token',
        TOKEN,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`into trigger 96 (database 1) on http://127.0.0.1:${port}`);
      expect(run.stdout).toContain(': 3 rows, 2 imported, 1 rejected');
      expect(errorLines(file)[0]).toMatchObject({
        row: 2,
        line: 2,
        error: 400,
        reason: 'data.CRM_ID: expected an integer, got "two"',
      });

      const denied = await herald([
        'import',
        file,
        '--trigger',
        '96',
        '--url',
        `http://127.0.0.1:${port}`,
        '--token',
        'nope',
        '--restart',
      ]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain('herald: campaigns/triggers/get: 401 the API token is unknown or revoked');
    } finally {
      await server.stop();
    }
    expect(countOf('profiles')).toBe(2);
    expect(countOf('messages')).toBe(2);
  }, 60_000);
});

function progressRows(file: string): number {
  try {
    return (JSON.parse(readFileSync(`${file}.herald-progress`, 'utf8')) as { rows: number }).rows;
  } catch {
    return 0;
  }
}

async function waitFor(ready: () => boolean, exited: Promise<Run>, timeoutMs = 60_000): Promise<void> {
  let gone: Run | undefined;
  void exited.then((r) => (gone = r));
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (gone) throw new Error(`the import exited first: ${JSON.stringify(gone)}`);
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
