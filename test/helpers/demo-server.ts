// A real `herald serve` with the demo provisioning file in a temporary folder (its file sender
// writes ./data/outbox there), on a free loopback port: for the client and console tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PROVISION } from './harness.js';
import { ensureBuilt, freePort, spawnHerald, waitForHttp, type HeraldProcess } from './herald-process.js';

export interface DemoServer {
  url: string;
  dir: string;
  proc: HeraldProcess;
  /** SIGTERM (SIGKILL after 10 s), then removes the folder. */
  close(): Promise<void>;
}

/** `provision`: another provisioning file than the demo one. */
export async function startDemoServer(
  env: Record<string, string> = {},
  provision = DEMO_PROVISION,
): Promise<DemoServer> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'herald-demo-'));
  const port = await freePort();
  const proc = spawnHerald(['serve', '--provision', provision], {
    cwd: dir,
    env: {
      HERALD_PORT: String(port),
      HERALD_HOST: '127.0.0.1',
      HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_LOG_LEVEL: 'warn',
      HERALD_POLL_MS: '100',
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, proc);
  return {
    url,
    dir,
    proc,
    async close() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
        await proc.stop();
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
