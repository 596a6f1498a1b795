// The last tasks with their progress: the tasks this browser submitted or tracks (task-store.ts),
// their status read with tasks/status every two seconds until they finish. A batch can be
// submitted here as a task (import_and_start_batch_task / start_batch_task).
import {
  HeraldError,
  type BatchResult,
  type ImportItem,
  type LaunchItem,
  type TaskFailure,
  type TaskStatus,
} from '../client/index.js';
import { badge, field, fill, h, progressBar, table, when } from './dom.js';
import { heading, type Page, type PageContext } from './page.js';
import { repeat } from './poll.js';
import { forgetTask, isFinished, knownTasks, rememberTask, updateTask, type KnownTask } from './task-store.js';

const REFRESH_MS = 2_000;
const KINDS = ['campaigns/triggers/import_and_start_batch_task', 'campaigns/triggers/start_batch_task'] as const;
const EXAMPLE =
  '[\n  {"data": {"email": "anna@example.com", "_fname": "Anna",\n            "subscriptions": [{"channel": "email", "resource_id": 21, "email": "anna@example.com"}]}}\n]';

function summary(s: TaskStatus): string {
  if (s.status === 'completed' && s.result && 'result' in s.result) {
    const r = s.result as BatchResult;
    return `${r.result.length} profile(s) launched${r.errors?.length ? `, ${r.errors.length} item error(s)` : ''}`;
  }
  if (s.status === 'failed' && s.result) {
    const f = s.result as TaskFailure;
    return `${f.error} ${f.error_text}${f.error_debug ? `: ${f.error_debug}` : ''}`;
  }
  return '';
}

/** The known tasks as a table, each with a button that forgets it. */
function drawTasks(listBox: HTMLElement): void {
  fill(
    listBox,
    table(
      ['task', 'what', 'added', 'status', 'progress', 'result', ''],
      knownTasks().map((t: KnownTask) => [
        h('span', { class: 'mono' }, t.id),
        t.label,
        when(t.addedAt),
        badge(t.status ?? 'pending'),
        h(
          'div',
          { class: 'progress' },
          progressBar(t.progress ?? 0),
          h('span', { class: 'small' }, `${t.progress ?? 0}%`),
        ),
        t.summary ?? '',
        h(
          'button',
          { type: 'button', class: 'small link', onclick: () => (forgetTask(t.id), drawTasks(listBox)) },
          'forget',
        ),
      ]),
      'No tasks known in this browser yet: submit one below, or track a task id.',
    ),
  );
}

/** Reads the status of the unfinished known tasks (tasks/status), then redraws the table. */
async function refreshTasks(ctx: PageContext, listBox: HTMLElement): Promise<void> {
  const open = knownTasks().filter((t) => !isFinished(t));
  await Promise.all(
    open.map(async (t) => {
      try {
        const { data } = await ctx.client.call('tasks/status', { task_id: t.id });
        updateTask(t.id, { status: data.status, progress: data.progress, summary: summary(data) });
      } catch (err) {
        if (err instanceof HeraldError && err.code === 404)
          updateTask(t.id, {
            status: 'unknown',
            summary: 'not found: expired (tasks are kept 7 days) or of another account',
          });
        else throw err;
      }
    }),
  ).catch(ctx.fail);
  drawTasks(listBox);
}

interface SubmitControls {
  kind: HTMLSelectElement;
  trigger: HTMLSelectElement;
  items: HTMLTextAreaElement;
  note: HTMLElement;
}

/** The typed items as a non-empty array; undefined (the reason in `note`) when they are not one. */
function typedItems(c: SubmitControls): unknown[] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(c.items.value);
  } catch (err) {
    c.note.textContent = `The items are not JSON: ${(err as Error).message}`;
    return undefined;
  }
  if (!Array.isArray(data) || data.length === 0) {
    c.note.textContent = 'The items must be a non-empty JSON array.';
    return undefined;
  }
  return data;
}

/** Submits the typed batch as a task, remembers the task and refreshes. */
async function submitBatch(ctx: PageContext, c: SubmitControls, refresh: () => Promise<void>): Promise<void> {
  const data = typedItems(c);
  if (!data) return;
  const method = c.kind.value as (typeof KINDS)[number];
  try {
    const triggerId = Number(c.trigger.value);
    // The items go as they were typed: the server validates them (400 with the item's path).
    const res =
      method === 'campaigns/triggers/import_and_start_batch_task'
        ? await ctx.client.call(method, { trigger_id: triggerId, data: data as ImportItem[] })
        : await ctx.client.call(method, { trigger_id: triggerId, data: data as LaunchItem[] });
    rememberTask({
      id: res.data.task_id,
      label: `${method.replace('campaigns/triggers/', '').replace('_task', '')} · trigger ${c.trigger.value} · ${data.length} item(s)`,
      addedAt: new Date().toISOString(),
    });
    c.note.textContent = `Submitted ${res.data.task_id}.`;
    await refresh();
  } catch (err) {
    c.note.textContent = '';
    ctx.fail(err);
  }
}

function submitControls(): SubmitControls {
  const items = h('textarea', { name: 'data', id: 'task-data', rows: 6, cols: 70, spellcheck: false });
  items.value = EXAMPLE;
  return {
    kind: h(
      'select',
      { name: 'kind', id: 'task-kind' },
      KINDS.map((k) => h('option', { value: k }, k.replace('campaigns/triggers/', ''))),
    ),
    trigger: h('select', { name: 'trigger_id', id: 'task-trigger' }),
    items,
    note: h('p', { class: 'muted', id: 'task-note' }),
  };
}

function submitForm(ctx: PageContext, c: SubmitControls, refresh: () => Promise<void>): HTMLElement {
  return h(
    'form',
    {
      class: 'panel',
      id: 'task-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void submitBatch(ctx, c, refresh);
      },
    },
    h('h2', {}, 'Submit a batch as a task'),
    h('div', { class: 'row' }, field('Method', c.kind), field('Trigger', c.trigger)),
    field('Items (JSON array, as in the synchronous method)', c.items),
    h('button', { type: 'submit' }, 'Submit task'),
    c.note,
  );
}

/** The form that tracks a task by its id. */
function trackForm(refresh: () => Promise<void>): HTMLElement {
  const trackId = h('input', { name: 'task_id', id: 'track-id', placeholder: 'task_…', size: 44 });
  return h(
    'form',
    {
      class: 'panel',
      id: 'track-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const id = trackId.value.trim();
        if (!id) return;
        rememberTask({ id, label: 'tracked by id', addedAt: new Date().toISOString() });
        trackId.value = '';
        void refresh();
      },
    },
    h('h2', {}, 'Track a task'),
    h(
      'p',
      { class: 'muted' },
      'The API has no method that lists tasks: paste the task_id a client received to follow it here.',
    ),
    field('Task id', trackId),
    h('button', { type: 'submit' }, 'Track'),
  );
}

export const tasksPage: Page = (root, ctx) => {
  const listBox = h('div', { id: 'task-table' });
  const controls = submitControls();
  const refresh = () => refreshTasks(ctx, listBox);
  fill(
    root,
    heading(
      'Tasks',
      'The tasks submitted or tracked in this browser, newest first; their progress refreshes every 2 s.',
    ),
    listBox,
    h('div', { class: 'columns' }, submitForm(ctx, controls, refresh), trackForm(refresh)),
  );
  drawTasks(listBox);
  ctx.client
    .call('campaigns/triggers/list', { limit: 1000 })
    .then((list) =>
      fill(
        controls.trigger,
        list.data.map((t) => h('option', { value: t.id }, `${t.id} — ${t.name}${t.is_active ? '' : ' (inactive)'}`)),
      ),
    )
    .catch(ctx.fail);
  return repeat(refresh, REFRESH_MS);
};
