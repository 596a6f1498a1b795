// Triggers with live counters: campaigns/triggers/list, then campaigns/status for each trigger
// every few seconds (scheduled / sent / failed / skipped, each a link to the filtered message
// log); activate / deactivate; a trigger's recent campaign log (campaigns/log_v2).
import type { LogEntry, Trigger, TriggerCounters } from '../client/index.js';
import { badge, confirmed, fill, h, num, table, when } from './dom.js';
import { heading, type Page, type PageContext } from './page.js';
import { repeat } from './poll.js';

/** How often the counters are read again. */
export const REFRESH_MS = 3_000;
/** Counters are read for this many triggers at most (one campaigns/status call each). */
const MAX_LIVE = 200;
const COUNTERS = ['scheduled', 'sent', 'failed', 'skipped'] as const;
const DAY_S = 86_400;

type Cells = Map<number, Record<(typeof COUNTERS)[number] | 'active', HTMLElement>>;

/** What a trigger's row does: (de)activate it, show its log. */
type Actions = { toggle: (t: Trigger) => void; log: (t: Trigger) => void };

function triggerRow(t: Trigger, cells: Cells, actions: Actions): HTMLElement[] {
  const cell = (c: (typeof COUNTERS)[number]) => h('td', { class: 'num', 'data-counter': c }, '…');
  const counters = {
    scheduled: cell('scheduled'),
    sent: cell('sent'),
    failed: cell('failed'),
    skipped: cell('skipped'),
  };
  const active = h('td', {}, badge(t.is_active ? 'active' : 'inactive'));
  cells.set(t.id, { ...counters, active });
  return [
    h('td', { class: 'num' }, t.id),
    h('td', {}, h('strong', {}, t.name), t.description ? h('div', { class: 'muted small' }, t.description) : null),
    h('td', {}, t.trigger_type),
    h('td', {}, t.send_channel),
    active,
    ...COUNTERS.map((c) => counters[c]),
    h(
      'td',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', class: 'small', onclick: () => actions.toggle(t) },
        t.is_active ? 'Deactivate' : 'Activate',
      ),
      h('button', { type: 'button', class: 'small link', onclick: () => actions.log(t) }, 'Log'),
    ),
  ].map((c) => (c instanceof HTMLTableCellElement ? c : h('td', {}, c)));
}

function setCounters(cells: Cells, id: number, s: TriggerCounters): void {
  const c = cells.get(id);
  if (!c) return;
  for (const k of COUNTERS) {
    // `sent` counts the messages a provider's receipt then reported on too.
    const statuses = k === 'sent' ? 'sent,delivered,undelivered' : k;
    const link = h('a', { href: `#/messages?trigger_id=${id}&status=${statuses}` }, num(s[k]));
    fill(c[k], link);
  }
  fill(c.active, badge(s.is_active ? 'active' : 'inactive'));
}

async function showLog(ctx: PageContext, log: HTMLElement, t: Trigger): Promise<void> {
  try {
    const res = await ctx.client.call('campaigns/log_v2', {
      id: t.id,
      from_time: Math.floor(Date.now() / 1000) - DAY_S,
      limit: 1000,
    });
    const recent: LogEntry[] = res.data.slice(-50).reverse();
    log.classList.remove('hidden');
    fill(
      log,
      h('h2', {}, `Log of “${t.name}” — the last day, newest first`),
      table(
        ['time', 'level', 'event', 'message'],
        recent.map((e) => [when(e.time), badge(e.level.toLowerCase()), e.event, e.message]),
        'No log entries in the last day.',
      ),
    );
  } catch (err) {
    ctx.fail(err);
  }
}

/** Reads the counters of the first triggers (one campaigns/status each) into their cells. */
async function readCounters(ctx: PageContext, cells: Cells, triggers: readonly Trigger[]): Promise<void> {
  const live = triggers.slice(0, MAX_LIVE);
  const counts = await Promise.all(
    live.map((t) =>
      ctx.client.call('campaigns/status', { id: t.id }).then(
        (r) => r.data,
        () => undefined,
      ),
    ),
  );
  live.forEach((t, i) => {
    const c = counts[i];
    if (c) setCounters(cells, t.id, c);
  });
}

/** The table of the triggers (newest first); their counters' cells are kept in `cells`. */
function drawTriggers(list: HTMLElement, triggers: Trigger[], total: number, cells: Cells, actions: Actions): void {
  cells.clear();
  fill(
    list,
    table(
      ['id', 'name', 'type', 'channel', 'state', ...COUNTERS, ''],
      triggers.map((t) => triggerRow(t, cells, actions)),
      'No triggers yet: add one with campaigns/triggers/add.',
    ),
    total > triggers.length ? h('p', { class: 'muted' }, `${triggers.length} of ${total} triggers shown.`) : null,
  );
}

export const triggersPage: Page = (root, ctx) => {
  const updated = h('span', { class: 'muted', id: 'refreshed' });
  const list = h('div', { id: 'trigger-table' }, h('p', { class: 'muted' }, 'Loading…'));
  const log = h('section', { id: 'trigger-log', class: 'panel hidden' });
  fill(
    root,
    heading('Triggers', `Message counters refresh every ${REFRESH_MS / 1000} s.`),
    h('p', {}, updated),
    list,
    log,
  );

  let shown = '';
  const cells: Cells = new Map();
  const actions = { toggle: (t: Trigger) => void toggle(t), log: (t: Trigger) => void showLog(ctx, log, t) };

  async function toggle(t: Trigger): Promise<void> {
    if (
      t.is_active &&
      !confirmed(
        `Deactivate trigger ${t.id} “${t.name}”? It stops launching; messages already scheduled are still sent.`,
      )
    )
      return;
    try {
      await ctx.client.call(t.is_active ? 'campaigns/deactivate' : 'campaigns/activate', { id: t.id });
      shown = '';
      await refresh();
    } catch (err) {
      ctx.fail(err);
    }
  }

  async function refresh(): Promise<void> {
    const res = await ctx.client.call('campaigns/triggers/list', { limit: 1000 }).catch((err: unknown) => {
      ctx.fail(err);
      throw err;
    });
    // Newest first.
    const triggers = [...res.data].reverse();
    const key = JSON.stringify(triggers.map((t) => [t.id, t.name, t.is_active, t.updated_at]));
    if (key !== shown) {
      shown = key;
      drawTriggers(list, triggers, res.total_count, cells, actions);
    }
    await readCounters(ctx, cells, triggers);
    updated.textContent = `Updated ${when(new Date().toISOString())}`;
  }

  return repeat(refresh, REFRESH_MS);
};
