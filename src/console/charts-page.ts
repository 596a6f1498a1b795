// Charts of the report counters the server keeps (spec 07), per UTC day over a chosen range: sent,
// delivered, opens, clicks, bounces and complaints, for one trigger (campaigns/triggers/stats,
// with its all-time totals from campaigns/status) or for the account (account/stats). The console
// counts no messages: every number is a server-side counter. Refreshed every ten seconds.
import type { ResultOf } from '../client/index.js';
import { RANGES, reportRange, SERIES, seriesOf, type DayRange, type ReportDay } from './buckets.js';
import { dayChart } from './day-chart.js';
import { field, fill, h, num } from './dom.js';
import { heading, type Page, type PageContext } from './page.js';
import { repeat } from './poll.js';

const REFRESH_MS = 10_000;

const stat = (id: string, value: number, label: string): HTMLElement =>
  h('div', { class: 'stat' }, h('span', { class: 'stat-value', id }, num(value)), h('span', { class: 'muted' }, label));

function filters(ctx: PageContext, range: DayRange): { form: HTMLElement; trigger: HTMLSelectElement } {
  const trigger = h(
    'select',
    { name: 'trigger_id', id: 'chart-trigger' },
    h('option', { value: '' }, 'the whole account'),
  );
  const rangeSelect = h(
    'select',
    { name: 'range', id: 'chart-range' },
    RANGES.map((r) => h('option', { value: r.id, selected: r === range }, r.label)),
  );
  const change = () => ctx.navigate('charts', { range: rangeSelect.value, trigger_id: trigger.value });
  trigger.addEventListener('change', change);
  rangeSelect.addEventListener('change', change);
  const form = h(
    'form',
    { class: 'filters', onsubmit: (e: Event) => e.preventDefault() },
    field('Trigger', trigger),
    field('Range (UTC days)', rangeSelect),
  );
  return { form, trigger };
}

function listTriggers(ctx: PageContext, select: HTMLSelectElement, current: number): void {
  ctx.client
    .call('campaigns/triggers/list', { limit: 1000 })
    .then((list) =>
      list.data.forEach((t) =>
        select.appendChild(h('option', { value: t.id, selected: t.id === current }, `${t.id} — ${t.name}`)),
      ),
    )
    .catch(ctx.fail);
}

/** The range's total of each series, and a small chart per series. */
function showDays(totals: HTMLElement, charts: HTMLElement, days: readonly ReportDay[]): void {
  const series = SERIES.map((s) => ({ s, ...seriesOf(days, s) }));
  fill(
    totals,
    series.map(({ s, total }) => stat(`total-${s.id}`, total, s.label.toLowerCase())),
  );
  fill(
    charts,
    series.map(({ s, points, total }) =>
      h(
        'section',
        { class: 'panel chart-panel', id: `chart-${s.id}` },
        h('h2', {}, s.label, ' ', h('span', { class: 'muted' }, num(total))),
        dayChart(s.id, s.label, points),
      ),
    ),
  );
}

type Status = ResultOf<'campaigns/status'>['data'];

function showAllTime(box: HTMLElement, c: Status): void {
  fill(
    box,
    h('h2', {}, 'All time (campaigns/status)'),
    h(
      'div',
      { class: 'totals' },
      stat('all-scheduled', c.scheduled, 'scheduled'),
      stat('all-sent', c.sent, 'sent'),
      stat('all-delivered', c.delivered, 'delivered'),
      stat('all-opens', c.opened, `opens (${num(c.opened_unique)} unique)`),
      stat('all-clicks', c.clicked, `clicks (${num(c.clicked_unique)} unique)`),
      stat('all-bounces', c.bounced_hard + c.bounced_soft, 'bounces'),
      stat('all-complaints', c.complained, 'complaints'),
      stat('all-failed', c.failed, 'failed'),
    ),
  );
}

export const chartsPage: Page = (root, ctx) => {
  const range = RANGES.find((r) => r.id === ctx.params.get('range')) ?? RANGES[1];
  const triggerId = Number(ctx.params.get('trigger_id')) || 0;
  const { form, trigger } = filters(ctx, range);
  const totals = h('div', { class: 'totals', id: 'chart-totals' });
  const charts = h('div', { class: 'charts-grid', id: 'charts' }, h('p', { class: 'muted' }, 'Loading…'));
  const allTime = h('div', { id: 'chart-alltime' });
  const scope = triggerId > 0 ? `trigger ${triggerId}` : 'the whole account';
  fill(
    root,
    heading('Charts', `The report counters the server keeps, per UTC day, for ${scope}.`),
    form,
    totals,
    charts,
    allTime,
  );
  listTriggers(ctx, trigger, triggerId);
  const refresh = async () => {
    try {
      const params = reportRange(Date.now(), range);
      const days =
        triggerId > 0
          ? (await ctx.client.call('campaigns/triggers/stats', { id: triggerId, ...params })).data
          : (await ctx.client.call('account/stats', params)).data;
      showDays(totals, charts, days as ReportDay[]);
      if (triggerId > 0) showAllTime(allTime, (await ctx.client.call('campaigns/status', { id: triggerId })).data);
    } catch (err) {
      ctx.fail(err);
      throw err;
    }
  };
  return repeat(refresh, REFRESH_MS);
};
