// The task runner: a loop beside the delivery workers that claims tasks under a lease and runs
// them chunk by chunk. Each chunk's work and the task's progress (with the chunk's part of the
// result) commit in one transaction guarded by the claim, so a task resumed after a crash or a
// restart starts where it was and no item runs twice. The trigger's state is checked again each
// time a runner takes the task up.
import type { Env } from '../api/method.js';
import { ApiError, CatalogChanged, LeaseLost } from '../base/errors.js';
import { PollLoop } from '../base/poll-loop.js';
import type { CatalogCache } from '../catalog/cache.js';
import { heldTransaction, type HoldingStore } from '../catalog/changed.js';
import type { CatalogHoldTx } from '../catalog/store-port.js';
import type { Catalog } from '../catalog/types.js';
import type { ImportTx } from '../imports/store-port.js';
import type { CoreMetrics } from '../monitoring/metrics-port.js';
import { taskKind, type ChunkResult, type PreparedTask } from './kinds.js';
import type { ClaimedTask, TaskPart, TaskProgress, TaskStore, TaskTx } from './store-port.js';
import type { WirePolicy } from '../values/wire.js';
import { TASK_KEEP_MS } from './task-methods.js';
import { parseTaskRequest } from './task-request.js';

export interface TaskRunnerOptions {
  leaseMs: number;
  pollMs: number;
  /** Items per chunk (one transaction each). */
  chunkSize: number;
}

export interface TaskLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A task chunk's transaction: the configuration hold, the chunk's work and the task's progress. */
export type TaskRunTx = CatalogHoldTx & ImportTx & TaskTx;

export interface TaskRunnerStore extends TaskStore, HoldingStore<TaskRunTx> {
  accountVersions(): Promise<Map<number, number>>;
}

export interface TaskRunnerDeps {
  store: TaskRunnerStore;
  env: Env;
  catalogs: CatalogCache;
  /** The wire policies by name, to decode a task's items as they were sent. */
  wires: ReadonlyMap<string, WirePolicy>;
  log: TaskLog;
  metrics?: Pick<CoreMetrics, 'itemsImported'>;
}

/** Items per chunk by default: a chunk is one transaction, short enough not to hold the writer long. */
export const DEFAULT_TASK_CHUNK = 1000;
/** A task whose chunks keep failing unexpectedly is given up after this many claims. */
const MAX_ATTEMPTS = 5;

/** Consecutive configuration changes a chunk is checked again for before it counts as failed. */
const MAX_CATALOG_CHANGES = 3;

/** A task checked against a catalog, with that catalog. */
interface Checked {
  catalog: Catalog;
  prepared: PreparedTask;
}

export class TaskRunner {
  private stopping = false;
  private readonly loop: PollLoop;

  constructor(
    private readonly deps: TaskRunnerDeps,
    private readonly opts: TaskRunnerOptions,
  ) {
    this.loop = new PollLoop(
      async () => ((await this.tick()) ? 0 : this.opts.pollMs),
      (err) => this.deps.log.error({ err }, 'task round failed'),
      this.opts.pollMs,
    );
  }

  /** Claims one task and runs at most `maxChunks` of its chunks. True when a task was claimed. */
  async tick(maxChunks = Infinity): Promise<boolean> {
    const task = await this.deps.store.claimTask(this.deps.env.clock.now(), this.opts.leaseMs);
    if (!task) return false;
    const prepared = await this.prepare(task);
    if (prepared) await this.run(task, prepared, maxChunks);
    return true;
  }

  /** The request checked against the account's catalog of now; a failed check fails the task. */
  private async prepare(task: ClaimedTask, version?: number): Promise<Checked | undefined> {
    try {
      if (task.attempts > MAX_ATTEMPTS)
        throw new ApiError(500, `the task failed ${MAX_ATTEMPTS} times unexpectedly and was given up`);
      const catalog = await this.deps.catalogs.get(
        task.accountId,
        version ?? (await this.deps.store.accountVersions()).get(task.accountId) ?? 0,
      );
      const request = parseTaskRequest(task.request);
      const wire = this.deps.wires.get(request.wire);
      if (!wire) throw new ApiError(500, `the task's items came in an unknown wire format (${request.wire})`);
      return { catalog, prepared: taskKind(task.kind).prepare(this.deps.env, catalog, request, wire) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      await this.fail(task, err);
      return undefined;
    }
  }

  private async fail(task: ClaimedTask, err: ApiError): Promise<void> {
    const now = this.deps.env.clock.now();
    const failure = { error: err.code, error_text: err.text, error_debug: err.debug };
    await this.commit({
      taskId: task.id,
      claimToken: task.claimToken,
      done: task.done,
      leaseUntil: now,
      now,
      finish: { status: 'failed', failure, expiresAt: now + TASK_KEEP_MS },
    });
  }

  /**
   * One transaction: the work (if any) and the progress that counts it; false when the claim was
   * lost. The work holds the catalog it was checked against (CatalogChanged when it moved on).
   */
  private async commit(
    progress: TaskProgress,
    work?: { catalog: Catalog; run: (tx: TaskRunTx) => Promise<Pick<TaskProgress, 'part' | 'launchId'>> },
  ): Promise<boolean> {
    const { store } = this.deps;
    const apply = async (tx: TaskRunTx) => {
      const extra = work ? await work.run(tx) : {};
      if (!(await tx.saveTaskProgress({ ...progress, ...extra }))) throw new LeaseLost();
    };
    try {
      await (work ? heldTransaction(store, work.catalog, apply) : store.transaction(apply));
      return true;
    } catch (err) {
      if (err instanceof LeaseLost) return false;
      throw err;
    }
  }

  /** Items [from, to) of the task and its progress, in one transaction; `held` false when the claim was lost. */
  private async commitChunk(
    task: ClaimedTask,
    { catalog, prepared }: Checked,
    at: { from: number; to: number; launchId: number | undefined; now: number; finish: TaskProgress['finish'] },
  ): Promise<{ held: boolean; chunk: ChunkResult | undefined }> {
    const { from, to, launchId, now, finish } = at;
    let chunk: ChunkResult | undefined;
    const held = await this.commit(
      {
        taskId: task.id,
        claimToken: task.claimToken,
        done: to,
        leaseUntil: now + this.opts.leaseMs,
        now,
        ...(finish ? { finish } : {}),
      },
      {
        catalog,
        run: async (tx) => {
          chunk = from < to ? await prepared.runChunk(tx, from, to, launchId, now) : undefined;
          const stored = chunk?.launchId ?? launchId;
          return { ...(chunk ? { part: chunk.part } : {}), ...(stored !== undefined ? { launchId: stored } : {}) };
        },
      },
    );
    return { held, chunk };
  }

  private async run(task: ClaimedTask, checked: Checked, maxChunks: number): Promise<void> {
    const { store, log } = this.deps;
    const { clock } = this.deps.env;
    // The task's launch, once a committed chunk stored it (a retried transaction starts from here).
    let launchId = task.launchId ?? undefined;
    let done = task.done;
    let { catalog, prepared } = checked;
    let changes = 0;
    for (let n = 0; n < maxChunks; n++) {
      if (this.stopping) {
        await store.releaseTask(task.id, task.claimToken);
        return;
      }
      const from = done;
      const to = Math.min(prepared.total, from + this.opts.chunkSize);
      const now = clock.now();
      const finish = to >= prepared.total ? { status: 'completed' as const, expiresAt: now + TASK_KEEP_MS } : undefined;
      let held: boolean;
      let chunk: ChunkResult | undefined;
      try {
        ({ held, chunk } = await this.commitChunk(task, { catalog, prepared }, { from, to, launchId, now, finish }));
        changes = 0;
      } catch (err) {
        if (err instanceof CatalogChanged && ++changes <= MAX_CATALOG_CHANGES) {
          // The configuration changed since the task was checked: the rest of it is checked again
          // (a trigger deactivated meanwhile fails it) and the chunk, which wrote nothing, runs again.
          const again = await this.prepare({ ...task, done }, err.version);
          if (!again) return;
          ({ catalog, prepared } = again);
          n--;
          continue;
        }
        if (err instanceof ApiError) {
          await this.fail({ ...task, done }, err);
          return;
        }
        // Left claimed: the lease runs out and a runner retries the chunk (counted in attempts).
        log.error({ task: task.id, err }, 'task chunk failed');
        return;
      }
      if (!held) {
        log.warn({ task: task.id }, 'task lease lost: another runner took the task over');
        return;
      }
      done = to;
      launchId = chunk?.launchId ?? launchId;
      const chunkPart: TaskPart | undefined = chunk?.part;
      if (chunkPart && taskKind(task.kind).imports)
        this.deps.metrics?.itemsImported(`${task.kind}_task`, chunkPart.result.length, chunkPart.errors.length);
      if (finish) return;
    }
  }

  /** Runs until stopped: a task at once while there are any, else every pollMs or on wake(). */
  start(): void {
    this.loop.start();
  }

  /** A task was submitted in this process. */
  wake(): void {
    this.loop.wake();
  }

  /** Stops after the chunk in flight; a task not finished is given back for the next runner. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop.stop();
  }
}
