// Joining concurrent calls: callers submit members under a key; one group per key runs at a time
// (or `runners`), taking every member that waited meanwhile (at most `members`), and each member
// is answered with its own outcome. A member that meets no other runs at once, alone. Used for
// joined write requests (src/http/joined-writes.ts) and PostgreSQL's token lookups.

/** How one key's groups run: at most `runners` at once, each of at most `members` members. */
export interface JoinLimits {
  runners: number;
  members: number;
}

interface Waiting<M, R> {
  member: M;
  resolve: (value: R) => void;
  reject: (err: unknown) => void;
}

interface Queue<M, R> {
  waiting: Waiting<M, R>[];
  running: number;
  /** Runs a group of this key (each request's answer, in order; never rejects for one member). */
  run: (group: M[]) => Promise<Settled<R>[]>;
}

/** A member's outcome in its group: its value or its own error. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export class Joiner<M, R> {
  private readonly queues = new Map<string, Queue<M, R>>();

  constructor(private readonly limits: JoinLimits) {}

  /**
   * Queues `member` under `key` and answers its outcome once its group ran. `run` runs a group of
   * the key: the one given by the request that found the key idle is used for all of its groups.
   */
  submit(key: string, member: M, run: (group: M[]) => Promise<Settled<R>[]>): Promise<R> {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { waiting: [], running: 0, run };
      this.queues.set(key, queue);
    }
    const q = queue;
    return new Promise<R>((resolve, reject) => {
      q.waiting.push({ member, resolve, reject });
      this.start(key, q);
    });
  }

  /** Requests waiting or running under a key (none: the key is forgotten). */
  get keys(): number {
    return this.queues.size;
  }

  private start(key: string, q: Queue<M, R>): void {
    while (q.running < this.limits.runners && q.waiting.length > 0) {
      const group = q.waiting.splice(0, this.limits.members);
      q.running++;
      void this.runGroup(q, group).finally(() => {
        q.running--;
        if (q.waiting.length > 0) this.start(key, q);
        else if (q.running === 0) this.queues.delete(key);
      });
    }
  }

  private async runGroup(q: Queue<M, R>, group: Waiting<M, R>[]): Promise<void> {
    let settled: Settled<R>[];
    try {
      settled = await q.run(group.map((w) => w.member));
    } catch (err) {
      for (const w of group) w.reject(err);
      return;
    }
    group.forEach((w, i) => {
      const s = settled[i];
      if (!s) w.reject(new Error(`a joined group answered ${settled.length} of its ${group.length} requests`));
      else if (s.ok) w.resolve(s.value);
      else w.reject(s.error);
    });
  }
}
