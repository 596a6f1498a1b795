// The tasks this browser knows: the API has no method that lists tasks, so the console remembers
// the ids of the tasks it submitted or was asked to track (localStorage: task ids are no secret,
// reading one needs the token), with their last status so finished ones are not asked again.

export interface KnownTask {
  id: string;
  /** What the task does, e.g. `import_and_start_batch · trigger 96 · 3 items`. */
  label: string;
  addedAt: string;
  /** The last status read; `unknown` when the server no longer knows it (404). */
  status?: 'pending' | 'running' | 'completed' | 'failed' | 'unknown';
  progress?: number;
  summary?: string;
}

const KEY = 'herald.console.tasks';
/** The newest tasks kept; older ones are forgotten. */
export const MAX_TASKS = 50;

export function knownTasks(): KnownTask[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(v) ? (v.filter((t) => t && typeof t.id === 'string') as KnownTask[]) : [];
  } catch {
    return [];
  }
}

function save(list: KnownTask[]): void {
  localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX_TASKS)));
}

export function rememberTask(task: KnownTask): void {
  save([task, ...knownTasks().filter((t) => t.id !== task.id)]);
}

export function updateTask(id: string, patch: Partial<KnownTask>): void {
  save(knownTasks().map((t) => (t.id === id ? { ...t, ...patch } : t)));
}

export function forgetTask(id: string): void {
  save(knownTasks().filter((t) => t.id !== id));
}

export const isFinished = (t: KnownTask): boolean =>
  t.status === 'completed' || t.status === 'failed' || t.status === 'unknown';
