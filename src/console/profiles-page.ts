// The profiles of a database, newest first, with a search (profiles/list), and a profile lookup
// (profiles/get) by any matching mode: the inputs follow the mode, custom
// matching offers the database's custom fields (databases/fields_get). The answer is shown as
// its fields and its subscriptions; the lookup lives in the address, so it can be linked to.
import {
  HeraldError,
  MATCHING_MODES,
  SUBSCRIPTION_STATUSES,
  type MatchingMode,
  type Profile,
  type ProfileLookupParams,
  type ResultOf,
  type Subscription,
} from '../client/index.js';
import { badge, field, fill, h, num, table, when } from './dom.js';
import { heading, type Page, type PageContext } from './page.js';

const LIST_PAGE = 25;

type Input =
  'email' | 'phone' | 'profile_id' | 'resource_id' | 'provider' | 'subscription_id' | 'field_name' | 'field_value';

/** The values each matching mode reads (spec 02). */
const INPUTS: Record<MatchingMode, Input[]> = {
  email: ['email'],
  email_profile: ['email'],
  email_sub: ['email', 'resource_id'],
  phone: ['phone'],
  phone_sub: ['phone', 'resource_id'],
  email_phone: ['email', 'phone'],
  email_phone_sub: ['email', 'phone', 'resource_id'],
  profile_id: ['profile_id'],
  push_sub: ['provider', 'subscription_id', 'resource_id'],
  custom: ['field_name', 'field_value'],
};
const LABELS: Record<Input, string> = {
  email: 'Email',
  phone: 'Phone',
  profile_id: 'Profile id',
  resource_id: 'Resource',
  provider: 'Push provider',
  subscription_id: 'Subscription id',
  field_name: 'Custom field',
  field_value: 'Value',
};

const show = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

function address(s: Subscription): string {
  if (s.channel === 'email') return s.email ?? '';
  if (s.channel === 'sms') return s.phone ?? '';
  return `${s.provider ?? ''} ${s.subscription_id ?? ''}`.trim();
}

/** Categories and custom fields of a subscription, when it has any. */
function details(s: Subscription): string {
  const parts: string[] = [];
  if (s.status_reason) parts.push(s.status_reason);
  if (s.cats?.length) parts.push(`categories: ${s.cats.join(', ')}`);
  if (s.custom_fields && Object.keys(s.custom_fields).length > 0)
    parts.push(`fields: ${JSON.stringify(s.custom_fields)}`);
  return parts.join('; ');
}

function profileView(p: Profile): HTMLElement {
  const fields = Object.entries(p).filter(([k]) => k !== 'subscriptions');
  const isTime = (k: string) => k === '_createtime' || k === '_updatetime';
  return h(
    'div',
    { class: 'profile', id: 'profile-result' },
    h(
      'h2',
      {},
      'Profile ',
      h('span', { class: 'mono' }, p.id),
      ' ',
      h('a', { href: `#/messages?profile_id=${encodeURIComponent(p.id)}`, class: 'small' }, 'its messages →'),
    ),
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'panel' },
        h('h3', {}, 'Fields'),
        table(
          ['field', 'value'],
          fields.map(([k, v]) => [h('span', { class: 'mono' }, k), isTime(k) ? when(String(v)) : show(v)]),
        ),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h3', {}, `Subscriptions (${p.subscriptions.length})`),
        table(
          ['channel', 'resource', 'address', 'status', 'priority', 'details'],
          p.subscriptions.map((s) => [
            s.channel,
            s.resource_id,
            address(s),
            badge(SUBSCRIPTION_STATUSES[s.status] ?? String(s.status)),
            s.priority,
            details(s),
          ]),
          'No subscriptions.',
        ),
      ),
    ),
  );
}

type Db = { id: number; name: string };

interface ListControls {
  db: HTMLSelectElement;
  search: HTMLInputElement;
  /** The first profile shown (the address's offset). */
  offset: number;
  box: HTMLElement;
}

function listControls(p: URLSearchParams, dbs: Db[]): ListControls {
  return {
    db: h(
      'select',
      { name: 'list_db', id: 'list-db' },
      dbs.map((d) =>
        h(
          'option',
          { value: d.id, selected: String(d.id) === (p.get('list_db') ?? p.get('db_id')) },
          `${d.id} — ${d.name}`,
        ),
      ),
    ),
    search: h('input', {
      name: 'q',
      id: 'list-search',
      type: 'search',
      value: p.get('q') ?? '',
      placeholder: 'email, phone, id or field value',
      size: 30,
    }),
    offset: Math.max(0, Number(p.get('offset')) || 0),
    box: h('div', { id: 'profile-list' }, h('p', { class: 'muted' }, 'Loading…')),
  };
}

/** Shows one page of the list: its count, its table and the buttons to the newer and older pages. */
function showListPage(
  ctx: PageContext,
  c: ListControls,
  res: ResultOf<'profiles/list'>,
  go: (from: number) => void,
): void {
  const { offset } = c;
  const open = (id: string) =>
    `#/profiles?list_db=${c.db.value}&q=${encodeURIComponent(ctx.params.get('q') ?? '')}&db_id=${c.db.value}&matching=profile_id&profile_id=${encodeURIComponent(id)}`;
  const name = (pr: Profile) => [pr._fname, pr._lname].filter((v) => typeof v === 'string' && v).join(' ');
  const rows = res.data.map((pr) => [
    h('a', { href: open(pr.id), class: 'mono' }, pr.id),
    show(pr.email),
    name(pr),
    show(Array.isArray(pr.phones) ? pr.phones.join(', ') : pr.phones),
    num(pr.subscriptions.length),
    when(pr._createtime),
  ]);
  fill(
    c.box,
    h(
      'p',
      { class: 'muted', id: 'profile-count' },
      res.total_count === 0
        ? 'No profile matches.'
        : `${num(offset + 1)}–${num(offset + res.data.length)} of ${num(res.total_count)} profile(s), newest first.`,
    ),
    table(['id', 'email', 'name', 'phones', 'subscriptions', 'created'], rows, 'No profile matches.'),
    h(
      'div',
      { class: 'pager' },
      offset > 0
        ? h('button', { type: 'button', onclick: () => go(Math.max(0, offset - LIST_PAGE)) }, '« Newer')
        : null,
      offset + res.data.length < res.total_count
        ? h('button', { type: 'button', id: 'profiles-older', onclick: () => go(offset + LIST_PAGE) }, 'Older »')
        : null,
    ),
  );
}

/** The list: a database's profiles newest first, searched by id or the start of an email, phone or field value. */
function profileList(ctx: PageContext, dbs: Db[]): HTMLElement {
  const p = ctx.params;
  const c = listControls(p, dbs);
  const go = (from: number) =>
    ctx.navigate('profiles', { list_db: c.db.value, q: c.search.value.trim(), offset: from || undefined });
  if (dbs.length > 0) {
    ctx.client
      .call('profiles/list', {
        db_id: Number(c.db.value),
        limit: LIST_PAGE,
        offset: c.offset,
        ...(p.get('q') ? { search: p.get('q')! } : {}),
      })
      .then((res) => showListPage(ctx, c, res, go))
      .catch((err: unknown) => {
        fill(c.box);
        ctx.fail(err);
      });
  } else fill(c.box, h('p', { class: 'empty' }, 'No databases yet.'));
  return h(
    'section',
    { class: 'panel' },
    h('h2', {}, 'All profiles'),
    h(
      'form',
      {
        class: 'filters flat',
        id: 'list-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          go(0);
        },
      },
      field('Database', c.db),
      field('Search', c.search),
      h('button', { type: 'submit' }, 'Search'),
    ),
    c.box,
  );
}

/** The lookup's controls: the database, the matching mode and the inputs of every mode (those of the mode shown). */
interface Lookup {
  db: HTMLSelectElement;
  mode: HTMLSelectElement;
  inputs: Record<Input, HTMLInputElement | HTMLSelectElement>;
  wrappers: Record<Input, HTMLElement>;
  result: HTMLElement;
}

function lookupControls(p: URLSearchParams): Lookup {
  const inputs = {} as Record<Input, HTMLInputElement | HTMLSelectElement>;
  for (const key of Object.keys(LABELS) as Input[]) {
    inputs[key] =
      key === 'field_name' || key === 'resource_id'
        ? h('select', { name: key, id: `lookup-${key}` })
        : h('input', { name: key, id: `lookup-${key}`, value: p.get(key) ?? '', size: 28 });
  }
  return {
    db: h('select', { name: 'db_id', id: 'lookup-db' }),
    mode: h(
      'select',
      { name: 'matching', id: 'lookup-matching' },
      MATCHING_MODES.map((m) => h('option', { value: m, selected: m === (p.get('matching') ?? 'email') }, m)),
    ),
    inputs,
    wrappers: Object.fromEntries(
      (Object.keys(LABELS) as Input[]).map((k) => [k, field(LABELS[k], inputs[k])]),
    ) as Record<Input, HTMLElement>,
    result: h('div', { id: 'lookup-result' }),
  };
}

/** Offers the custom fields of the chosen database (databases/fields_get) for custom matching. */
async function loadFields(ctx: PageContext, lk: Lookup): Promise<void> {
  const id = Number(lk.db.value);
  if (!id) return;
  const fields = await ctx.client.call('databases/fields_get', { id });
  fill(
    lk.inputs.field_name,
    fields.data
      .filter((f) => !f.system && f.type !== 'object' && f.type !== 'arr_object')
      .map((f) =>
        h('option', { value: f.name, selected: f.name === ctx.params.get('field_name') }, `${f.name} (${f.type})`),
      ),
  );
}

/** The lookup's form: a search moves to the address of the lookup, which shows its answer. */
function lookupForm(ctx: PageContext, lk: Lookup): HTMLElement {
  return h(
    'form',
    {
      class: 'filters',
      id: 'lookup-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const values: Record<string, string> = { db_id: lk.db.value, matching: lk.mode.value };
        for (const k of INPUTS[lk.mode.value as MatchingMode]) values[k] = lk.inputs[k].value.trim();
        ctx.navigate('profiles', values);
      },
    },
    field('Database', lk.db),
    field('Matching', lk.mode),
    (Object.keys(lk.wrappers) as Input[]).map((k) => lk.wrappers[k]),
    h('button', { type: 'submit' }, 'Find'),
  );
}

/** Fills the lookup's choices of database and resource, and the list of the databases' profiles. */
async function loadChoices(ctx: PageContext, lk: Lookup, listSlot: HTMLElement): Promise<void> {
  const p = ctx.params;
  const [dbs, resources] = await Promise.all([
    ctx.client.call('databases/list', {}),
    ctx.client.call('resources/list', {}),
  ]);
  fill(
    lk.db,
    dbs.data.map((d) => h('option', { value: d.id, selected: String(d.id) === p.get('db_id') }, `${d.id} — ${d.name}`)),
  );
  fill(listSlot, profileList(ctx, dbs.data));
  fill(
    lk.inputs.resource_id,
    h('option', { value: '' }, 'any resource'),
    resources.data.map((r) =>
      h('option', { value: r.id, selected: String(r.id) === p.get('resource_id') }, `${r.id} — ${r.name}`),
    ),
  );
}

/** The lookup the address asks for (profiles/get's parameters); undefined when it asks for none. */
function lookupInAddress(p: URLSearchParams): ProfileLookupParams | undefined {
  const matching = p.get('matching') as MatchingMode | null;
  if (!matching || !MATCHING_MODES.includes(matching) || !p.get('db_id')) return undefined;
  const params: ProfileLookupParams = { db_id: Number(p.get('db_id')), matching };
  for (const k of INPUTS[matching]) {
    const v = p.get(k);
    if (v === null || v === '') continue;
    if (k === 'resource_id') params.resource_id = Number(v);
    else params[k] = v;
  }
  return params;
}

/** Loads the page's choices, then makes the lookup the address asks for and shows its answer. */
async function load(ctx: PageContext, lk: Lookup, listSlot: HTMLElement): Promise<void> {
  const { result } = lk;
  try {
    await loadChoices(ctx, lk, listSlot);
    await loadFields(ctx, lk);
    const params = lookupInAddress(ctx.params);
    if (!params) return;
    fill(result, h('p', { class: 'muted' }, 'Looking up…'));
    const found = await ctx.client.call('profiles/get', params);
    fill(result, profileView(found.data));
    result.scrollIntoView({ block: 'nearest' });
  } catch (err) {
    if (err instanceof HeraldError && err.code === 404)
      fill(result, h('p', { class: 'empty', id: 'lookup-none' }, `No profile found: ${err.debug}`));
    else {
      fill(result);
      ctx.fail(err);
    }
  }
}

export const profilesPage: Page = (root, ctx) => {
  const listSlot = h('div', { id: 'profile-list-slot' });
  const lk = lookupControls(ctx.params);
  const sync = () => {
    const wanted = INPUTS[lk.mode.value as MatchingMode];
    for (const k of Object.keys(lk.wrappers) as Input[]) lk.wrappers[k].hidden = !wanted.includes(k);
  };
  lk.mode.addEventListener('change', sync);
  sync();
  lk.db.addEventListener('change', () => void loadFields(ctx, lk).catch(ctx.fail));
  fill(
    root,
    heading(
      'Profiles',
      'The profiles of a database, newest first, with a search; or find one the way an import would (profiles/get, several matches show the oldest).',
    ),
    listSlot,
    h('h2', {}, 'Find by matching'),
    lookupForm(ctx, lk),
    lk.result,
  );
  void load(ctx, lk, listSlot);
};
