// Charts of sends over time: messages/list (sent and failed, created in the window, every page
// up to a cap) counted per minute, hour or six hours, for every trigger or one; refreshed every
// ten seconds.
import type { Message, MessagesListParams } from '../client/index.js';
import { bucketize, RANGES, windowStart } from './buckets.js';
import { field, fill, h } from './dom.js';
import { heading, type Page } from './page.js';
import { repeat } from './poll.js';
import { sendChart } from './send-chart.js';

const REFRESH_MS = 10_000;
/** Pages of 1000 messages read at most per refresh. */
const MAX_PAGES = 20;

export const chartsPage: Page = (root, ctx) => {
  const p = ctx.params;
  const range = RANGES.find((r) => r.id === p.get('range')) ?? RANGES[0];
  const trigger = h('select', { name: 'trigger_id', id: 'chart-trigger' }, h('option', { value: '' }, 'every trigger'));
  const rangeSelect = h(
    'select',
    { name: 'range', id: 'chart-range' },
    RANGES.map((r) => h('option', { value: r.id, selected: r === range }, r.label)),
  );
  const totals = h('div', { class: 'totals', id: 'chart-totals' });
  const chart = h('div', { class: 'chart-box', id: 'chart' }, h('p', { class: 'muted' }, 'Loading…'));
  const change = () => ctx.navigate('charts', { range: rangeSelect.value, trigger_id: trigger.value });
  trigger.addEventListener('change', change);
  rangeSelect.addEventListener('change', change);

  fill(
    root,
    heading('Charts', 'Messages sent and failed over time (messages/list), for the messages created in the window.'),
    h(
      'form',
      { class: 'filters', onsubmit: (e: Event) => e.preventDefault() },
      field('Trigger', trigger),
      field('Window', rangeSelect),
    ),
    totals,
    chart,
    h(
      'p',
      { class: 'legend' },
      h('span', { class: 'key key-sent' }),
      'sent ',
      h('span', { class: 'key key-failed' }),
      'failed',
    ),
  );

  ctx.client
    .call('campaigns/triggers/list', { limit: 1000 })
    .then((list) =>
      list.data.forEach((t) =>
        trigger.appendChild(
          h('option', { value: t.id, selected: String(t.id) === p.get('trigger_id') }, `${t.id} — ${t.name}`),
        ),
      ),
    )
    .catch(ctx.fail);

  const refresh = async () => {
    const now = Date.now();
    const params: MessagesListParams = {
      status: ['sent', 'delivered', 'undelivered', 'failed'],
      from_time: Math.floor(windowStart(now, range) / 1000),
      limit: 1000,
    };
    if (Number(p.get('trigger_id')) > 0) params.trigger_id = Number(p.get('trigger_id'));
    const messages: Message[] = [];
    let total = 0;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await ctx.client.call('messages/list', params);
        total = res.total_count;
        messages.push(...res.data);
        const last = res.data.at(-1);
        if (!last || res.data.length < 1000) break;
        params.from_id = last.id + 1;
      }
    } catch (err) {
      ctx.fail(err);
      throw err;
    }
    const buckets = bucketize(messages, now, range);
    const sent = buckets.reduce((n, b) => n + b.sent, 0);
    const failed = buckets.reduce((n, b) => n + b.failed, 0);
    const peak = Math.max(0, ...buckets.map((b) => b.sent + b.failed));
    fill(
      totals,
      h(
        'div',
        { class: 'stat' },
        h('span', { class: 'stat-value', id: 'total-sent' }, sent),
        h('span', { class: 'muted' }, 'sent'),
      ),
      h(
        'div',
        { class: 'stat' },
        h('span', { class: 'stat-value', id: 'total-failed' }, failed),
        h('span', { class: 'muted' }, 'failed'),
      ),
      h(
        'div',
        { class: 'stat' },
        h('span', { class: 'stat-value' }, peak),
        h(
          'span',
          { class: 'muted' },
          `peak per ${range.bucketMs >= 3_600_000 ? `${range.bucketMs / 3_600_000} h` : 'minute'}`,
        ),
      ),
      total > messages.length
        ? h('p', { class: 'muted' }, `Counted the first ${messages.length} of ${total} messages.`)
        : null,
    );
    fill(chart, sendChart(buckets, range.bucketMs));
  };
  return repeat(refresh, REFRESH_MS);
};
