// Stop lists (Altcraft's suppression lists, suppresses/*): the account's lists with their entry
// counts, and one list's entries (suppresses/entries), newest first, by kind and search, in pages;
// an entry is added (email, domain or phone) or removed (after confirmation). Every list applies
// to every send of the account: a message to a listed address is skipped as `suppressed`.
import type { ResultOf } from '../client/index.js';
import { confirmed, field, fill, h, num, table, when } from './dom.js';
import { heading, type Page, type PageContext } from './page.js';

type SuppressionList = ResultOf<'suppresses/list'>['data'][number];

const PAGE = 50;
const KINDS = ['email', 'domain', 'phone'] as const;
type Kind = (typeof KINDS)[number];

interface View {
  ctx: PageContext;
  list: number;
  kind: string;
  search: string;
  offset: number;
}

const count = (n: number) => h('td', { class: 'num' }, num(n));

const go = (v: View, change: Partial<Omit<View, 'ctx'>>) => {
  const n = { ...v, ...change };
  v.ctx.navigate('stoplists', { list: n.list, kind: n.kind, search: n.search, offset: n.offset || undefined });
};

function listTable(v: View, lists: readonly SuppressionList[]): HTMLElement {
  return table(
    ['id', 'name', 'emails', 'domains', 'phones', 'updated'],
    [...lists].reverse().map((l) => [
      l.id,
      h(
        'a',
        {
          href: '#',
          class: l.id === v.list ? 'active' : null,
          onclick: (e: Event) => (e.preventDefault(), go(v, { list: l.id, offset: 0 })),
        },
        l.name,
      ),
      count(l.emails_count),
      count(l.domains_count),
      count(l.phones_count),
      when(l.updated),
    ]),
    'No stop list yet: create one with suppresses/add or in the provisioning file (suppression_lists).',
  );
}

function searchForm(v: View): HTMLElement {
  const kind = h(
    'select',
    { name: 'kind', id: 'entry-kind' },
    h('option', { value: '' }, 'every kind'),
    KINDS.map((k) => h('option', { value: k, selected: k === v.kind }, k)),
  );
  const search = h('input', {
    name: 'search',
    id: 'entry-search',
    type: 'search',
    value: v.search,
    placeholder: 'part of an address, domain or phone',
  });
  const submit = (e: Event) => {
    e.preventDefault();
    go(v, { kind: kind.value, search: search.value.trim(), offset: 0 });
  };
  return h(
    'form',
    { class: 'filters', id: 'entry-filter', onsubmit: submit },
    field('Kind', kind),
    field('Search', search),
    h('button', { type: 'submit' }, 'Search'),
  );
}

function addForm(v: View, done: () => void): HTMLElement {
  const kind = h(
    'select',
    { name: 'kind', id: 'add-kind' },
    KINDS.map((k) => h('option', { value: k }, k)),
  );
  const value = h('input', {
    name: 'value',
    id: 'add-value',
    required: true,
    placeholder: 'name@example.com, example.com or +12025550143',
  });
  const submit = (e: Event) => {
    e.preventDefault();
    const k = kind.value as Kind;
    v.ctx.client.call(`suppresses/${k}_add`, { id: v.list, [k]: value.value.trim() } as never).then(() => {
      value.value = '';
      done();
    }, v.ctx.fail);
  };
  return h(
    'form',
    { class: 'filters', id: 'entry-add', onsubmit: submit },
    field('Add a', kind),
    field('Value', value),
    h('button', { type: 'submit' }, 'Add'),
  );
}

function removeButton(v: View, kind: Kind, value: string, done: () => void): HTMLElement {
  const remove = () => {
    if (!confirmed(`Remove ${value} from stop list ${v.list}? Messages to it will be sent again.`)) return;
    v.ctx.client.call(`suppresses/${kind}_remove`, { id: v.list, [kind]: value } as never).then(done, v.ctx.fail);
  };
  return h('button', { type: 'button', class: 'link danger', 'data-remove': value, onclick: remove }, 'remove');
}

async function showEntries(v: View, box: HTMLElement, reload: () => void): Promise<void> {
  const params = {
    id: v.list,
    offset: v.offset,
    limit: PAGE,
    ...(v.kind ? { kind: v.kind as Kind } : {}),
    ...(v.search ? { search: v.search } : {}),
  };
  const res = await v.ctx.client.call('suppresses/entries', params);
  const last = Math.min(v.offset + res.data.length, res.total_count);
  const pager = h(
    'p',
    { class: 'pager' },
    h(
      'span',
      { class: 'muted', id: 'entry-count' },
      res.total_count === 0 ? 'No entry.' : `${num(v.offset + 1)}–${num(last)} of ${num(res.total_count)} entries`,
    ),
    v.offset > 0
      ? h('button', { type: 'button', onclick: () => go(v, { offset: Math.max(0, v.offset - PAGE) }) }, 'Newer')
      : null,
    last < res.total_count
      ? h('button', { type: 'button', onclick: () => go(v, { offset: v.offset + PAGE }) }, 'Older')
      : null,
  );
  fill(
    box,
    pager,
    table(
      ['kind', 'value', 'added', ''],
      res.data.map((e) => [
        e.kind,
        h('span', { class: 'mono' }, e.value),
        when(e.created),
        h('td', { class: 'actions' }, removeButton(v, e.kind, e.value, reload)),
      ]),
      v.search ? `Nothing on this list contains “${v.search}”.` : 'This list is empty.',
    ),
  );
}

export const stopListsPage: Page = (root, ctx) => {
  const p = ctx.params;
  const v: View = {
    ctx,
    list: Number(p.get('list')) || 0,
    kind: p.get('kind') ?? '',
    search: p.get('search') ?? '',
    offset: Number(p.get('offset')) || 0,
  };
  const lists = h('div', { id: 'stoplist-table' }, h('p', { class: 'muted' }, 'Loading…'));
  const entries = h('section', { class: 'panel', id: 'stoplist-entries' });
  fill(
    root,
    heading(
      'Stop lists',
      'Suppression lists (suppresses/*): every list applies to every send of the account; a message to a listed address, domain or phone is skipped as suppressed.',
    ),
    lists,
    entries,
  );
  ctx.client.call('suppresses/list', { limit: 1000 }).then((res) => {
    if (!res.data.some((l) => l.id === v.list)) v.list = res.data.at(-1)?.id ?? 0;
    fill(lists, listTable(v, res.data));
    if (!v.list) return entries.remove();
    const name = res.data.find((l) => l.id === v.list)?.name ?? '';
    const body = h('div', { id: 'entry-table' }, h('p', { class: 'muted' }, 'Loading…'));
    const reload = () => void showEntries(v, body, reload).catch(ctx.fail);
    fill(
      entries,
      h('h2', {}, `${name} `, h('span', { class: 'muted' }, `list ${v.list}`)),
      addForm(v, reload),
      searchForm(v),
      body,
    );
    reload();
  }, ctx.fail);
};
