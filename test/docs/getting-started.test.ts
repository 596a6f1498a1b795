// docs/GETTING-STARTED.md is run as a new user runs it: its shell blocks, in order, with bash and
// curl, against a fresh `herald serve --provision provision/demo.json` (what `npm start` runs).
// Each command's answer must begin as the page shows it (up to the page's `…`), and the email the
// last step launches must land in the outbox. The page's `localhost:8080` is this test's port.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROVISION } from '../helpers/harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from '../helpers/herald-process.js';

const PAGE = new URL('../../docs/GETTING-STARTED.md', import.meta.url).pathname;
const MARK = '::block-end::';

interface Block {
  script: string;
  /** The answer the page shows, up to its first `…` (undefined: the block only sets variables). */
  shown?: string;
}

function blocksOf(markdown: string): Block[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => {
    const lines = m[1].trimEnd().split('\n');
    const answer = lines.find((l) => l.startsWith('# {'));
    return {
      script: lines.filter((l) => !l.startsWith('# ')).join('\n'),
      shown: answer?.slice(2).split('…')[0],
    };
  });
}

const curlAvailable = spawnSync('curl', ['--version']).status === 0;

describe.skipIf(!curlAvailable)('docs/GETTING-STARTED.md, run as written', () => {
  let dir: string;
  let port: number;
  let proc: HeraldProcess;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'herald-start-'));
    port = await freePort();
    proc = spawnHerald(['serve', '--provision', DEMO_PROVISION], {
      cwd: dir,
      env: { HERALD_PORT: String(port), HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}` },
    });
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, proc);
  }, 120_000);

  afterAll(async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every command answers as the page shows, and the email arrives in the outbox', async () => {
    const blocks = blocksOf(readFileSync(PAGE, 'utf8'));
    expect(blocks.filter((b) => b.shown).length).toBeGreaterThanOrEqual(7);
    const script = blocks
      .map((b) => `${b.script.replaceAll('localhost:8080', `127.0.0.1:${port}`)}\necho; echo '${MARK}'`)
      .join('\n');
    const run = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const outputs = run.stdout.split(`${MARK}\n`);
    blocks.forEach((b, i) => {
      if (b.shown) expect(outputs[i].trim().startsWith(b.shown), `block ${i + 1}: ${outputs[i]}`).toBe(true);
    });

    const outbox = join(dir, 'data', 'outbox');
    const mailTo = (address: string) =>
      existsSync(outbox)
        ? readdirSync(outbox, { withFileTypes: true })
            .filter((f) => f.isFile())
            .map((f) => readFileSync(join(outbox, f.name), 'utf8'))
            .find((m) => m.includes(`To: ${address}`))
        : undefined;
    await expect.poll(() => mailTo('ann@example.com') !== undefined, { timeout: 30_000 }).toBe(true);
    expect(mailTo('ann@example.com')).toContain('Subject: Your plan: Gold');
  });
});
