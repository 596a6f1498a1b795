// The message log: messages/list filtered by trigger, profile and status, newest first, in pages
// (Older continues below the last id shown); each id opens the message's detail. The filters live in the address, so a counter on
// the triggers page links straight to its messages.
import {
  MESSAGE_STATUSES,
  type Message,
  type MessageStatus,
  type MessagesListParams,
  type Trigger,
} from '../client/index.js';
import { badge, field, fill, h, num, table, when } from './dom.js';
import { heading, type Page, type PageContext } from './page.js';

const PAGE_SIZES = [25, 50, 100, 500];

/** A push address is provider|token, and a Web Push token is a whole JSON object: shown short, whole on hover. */
function address(m: Message): HTMLElement | string {
  if (!m.address) return '';
  if (m.channel !== 'push' || m.address.length <= 48) return m.address;
  return h('span', { class: 'provider-id mono', title: m.address }, `${m.address.slice(0, 44)}…`);
}

/** The provider's id of the message and, once it came, its receipt (the provider's word and when). */
function provider(m: Message): HTMLElement | string {
  if (!m.provider_id && !m.receipt_status) return '';
  return h(
    'span',
    { class: 'provider' },
    m.provider_id ? h('span', { class: 'provider-id mono', title: m.provider_id }, m.provider_id) : null,
    m.receipt_status
      ? h('span', { class: 'receipt' }, `receipt: ${m.receipt_status}${m.receipt_at ? ` · ${when(m.receipt_at)}` : ''}`)
      : null,
  );
}

const COLUMNS = [
  'id',
  'trigger',
  'profile',
  'channel',
  'address',
  'status',
  'due',
  'sent',
  'attempts',
  'provider id',
  'note',
];

/** The page's view of its address: the filters, the page size and where the page starts. */
interface Filters {
  params: URLSearchParams;
  statuses: MessageStatus[];
  limit: number;
  fromId: number | undefined;
}

function filtersOf(p: URLSearchParams): Filters {
  const statuses = (p.get('status') ?? '')
    .split(',')
    .filter((s): s is MessageStatus => (MESSAGE_STATUSES as readonly string[]).includes(s));
  const limit = PAGE_SIZES.includes(Number(p.get('limit'))) ? Number(p.get('limit')) : 50;
  const fromId = Number(p.get('from_id')) > 0 ? Number(p.get('from_id')) : undefined;
  return { params: p, statuses, limit, fromId };
}

/** The filter form; `apply(from)` goes to the filtered address (from an id, or the newest). */
function filterForm(ctx: PageContext, f: Filters) {
  const p = f.params;
  const trigger = h('select', { name: 'trigger_id', id: 'filter-trigger' }, h('option', { value: '' }, 'any trigger'));
  const profile = h('input', {
    name: 'profile_id',
    id: 'filter-profile',
    value: p.get('profile_id') ?? '',
    placeholder: 'profile id',
    size: 26,
  });
  const size = h(
    'select',
    { name: 'limit', id: 'filter-limit' },
    PAGE_SIZES.map((n) => h('option', { value: n, selected: n === f.limit }, `${n} per page`)),
  );
  const boxes = MESSAGE_STATUSES.map((s) =>
    h('input', { type: 'checkbox', name: 'status', value: s, checked: f.statuses.includes(s) }),
  );
  const apply = (from?: number) =>
    ctx.navigate('messages', {
      trigger_id: trigger.value,
      profile_id: profile.value.trim(),
      status: boxes
        .filter((b) => b.checked)
        .map((b) => b.value)
        .join(','),
      limit: size.value,
      from_id: from,
    });
  const form = h(
    'form',
    {
      class: 'filters',
      id: 'message-filters',
      onsubmit: (e: Event) => {
        e.preventDefault();
        apply();
      },
    },
    field('Trigger', trigger),
    field('Profile', profile),
    h(
      'fieldset',
      { class: 'statuses' },
      h('legend', {}, 'Status'),
      boxes.map((b) => h('label', { class: 'check' }, b, b.value)),
    ),
    field('Page', size),
    h('button', { type: 'submit' }, 'Apply'),
  );
  return { form, trigger, apply };
}

function messageRow(m: Message, triggers: Map<number, Trigger>) {
  const t = triggers.get(m.trigger_id);
  const profileLink = h(
    'a',
    {
      href: `#/profiles?db_id=${t?.list_id ?? ''}&matching=profile_id&profile_id=${encodeURIComponent(m.profile_id)}`,
      class: 'mono',
    },
    m.profile_id,
  );
  return [
    h('a', { href: `#/message?id=${m.id}`, class: 'message-link' }, String(m.id)),
    t ? `${m.trigger_id} ${t.name}` : m.trigger_id,
    profileLink,
    m.channel,
    address(m),
    badge(m.status),
    when(m.due_at),
    when(m.sent_at),
    m.attempts,
    provider(m),
    m.receipt_reason ?? m.last_error ?? m.skip_reason ?? '',
  ];
}

function listParams(f: Filters): MessagesListParams {
  const p = f.params;
  const params: MessagesListParams = { limit: f.limit, order: 'desc' };
  if (Number(p.get('trigger_id')) > 0) params.trigger_id = Number(p.get('trigger_id'));
  if (p.get('profile_id')) params.profile_id = p.get('profile_id')!;
  if (f.statuses.length > 0) params.status = f.statuses;
  if (f.fromId !== undefined) params.from_id = f.fromId;
  return params;
}

export const messagesPage: Page = (root, ctx) => {
  const f = filtersOf(ctx.params);
  const { fromId, limit } = f;
  const { form, trigger, apply } = filterForm(ctx, f);
  const results = h('div', { id: 'message-table' }, h('p', { class: 'muted' }, 'Loading…'));
  const pager = h('div', { class: 'pager' });
  fill(
    root,
    heading('Messages', 'The message log of the account (messages/list), newest first.'),
    form,
    results,
    pager,
  );

  void (async () => {
    try {
      const list = await ctx.client.call('campaigns/triggers/list', { limit: 1000 });
      const triggers = new Map(list.data.map((t) => [t.id, t]));
      for (const t of list.data)
        trigger.appendChild(
          h('option', { value: t.id, selected: String(t.id) === f.params.get('trigger_id') }, `${t.id} — ${t.name}`),
        );
      const page = await ctx.client.call('messages/list', listParams(f));
      fill(
        results,
        h(
          'p',
          { class: 'muted', id: 'message-count' },
          page.total_count === 0
            ? 'No message matches.'
            : `${num(page.data.length)} shown of ${num(page.total_count)} matching message(s)${fromId ? `, from id ${fromId} down` : ''}.`,
        ),
        table(
          COLUMNS,
          page.data.map((m) => messageRow(m, triggers)),
          fromId ? 'No more messages.' : 'No message matches.',
        ),
      );
      const last = page.data.at(-1);
      fill(
        pager,
        fromId ? h('button', { type: 'button', id: 'first-page', onclick: () => apply() }, '« Newest') : null,
        last && page.data.length === limit && last.id > 1
          ? h('button', { type: 'button', id: 'next-page', onclick: () => apply(last.id - 1) }, 'Older »')
          : null,
      );
    } catch (err) {
      fill(results);
      ctx.fail(err);
    }
  })();
};
