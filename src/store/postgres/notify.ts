// Wake-ups across processes: NOTIFY herald_work after an import schedules due messages; every
// process LISTENs on a dedicated connection, reconnecting with backoff after a restart of
// PostgreSQL. Polling stays the fallback, so a lost notification only delays work.
import pg from 'pg';
import type { PgOptions, PgPool } from './open.js';

const CHANNEL = 'herald_work';

export class WorkChannel {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = 250;

  constructor(private readonly opts: PgOptions) {}

  async notify(pool: PgPool): Promise<void> {
    await pool.query(`NOTIFY ${CHANNEL}`).catch(() => undefined);
  }

  listen(fn: () => void): () => void {
    this.listeners.add(fn);
    if (!this.client) void this.connect();
    return () => this.listeners.delete(fn);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.opts.url,
      ...(this.opts.schema ? { options: `-c search_path=${this.opts.schema}` } : {}),
    });
    this.client = client;
    const retry = () => {
      if (this.client !== client || this.closed) return;
      this.client = undefined;
      setTimeout(() => void this.connect(), this.retryMs).unref();
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
      // Work may have been announced while the connection was down.
      for (const fn of this.listeners) fn();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', () => {
      for (const fn of this.listeners) fn();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.retryMs = 250;
    } catch {
      retry();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
