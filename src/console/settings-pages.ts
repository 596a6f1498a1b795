// The account's configuration, newest first: databases with their fields, resources with their
// channels, and senders with their settings (every secret masked by the server: senders/list).
import type { Database, Resource, Sender } from '../client/index.js';
import { fill, h, num, pairs, table } from './dom.js';
import { heading, type Page, type PageContext } from './page.js';

const LIST_LIMIT = 1000;

/** Loads a list into `box`, reporting a failure. */
function load<T>(
  ctx: PageContext,
  box: HTMLElement,
  fetch: () => Promise<T>,
  show: (data: T) => HTMLElement | HTMLElement[],
): void {
  fetch().then(
    (data) => fill(box, show(data)),
    (err: unknown) => {
      fill(box);
      ctx.fail(err);
    },
  );
}

const fieldList = (d: Database): HTMLElement =>
  d.fields.length === 0
    ? h('span', { class: 'muted' }, 'no custom fields')
    : h(
        'ul',
        { class: 'chips' },
        d.fields.map((f) =>
          h(
            'li',
            {},
            h('span', { class: 'mono' }, f.name),
            ' ',
            h('span', { class: 'muted' }, f.type === 'enum' && f.values ? `enum: ${f.values.join(', ')}` : f.type),
          ),
        ),
      );

export const databasesPage: Page = (root, ctx) => {
  const box = h('div', { id: 'database-table' }, h('p', { class: 'muted' }, 'Loading…'));
  fill(
    root,
    heading(
      'Databases',
      'Profile databases and their custom fields (databases/list), newest first. Every database also has the system fields (email, phones, _fname …).',
    ),
    box,
  );
  load(
    ctx,
    box,
    () => ctx.client.call('databases/list', { limit: LIST_LIMIT }),
    (res) => [
      h('p', { class: 'muted' }, `${num(res.total_count)} database(s).`),
      table(
        ['id', 'name', 'description', 'custom fields', ''],
        [...res.data]
          .reverse()
          .map((d) => [
            d.id,
            h('strong', {}, d.name),
            d.description ?? '',
            fieldList(d),
            h('a', { href: `#/profiles?db_id=${d.id}` }, 'profiles →'),
          ]),
        'No databases yet.',
      ),
    ],
  );
};

function channels(r: Resource): HTMLElement {
  const entries = Object.entries(r.channel_settings ?? {}) as [string, Record<string, unknown>][];
  if (entries.length === 0) return h('span', { class: 'muted' }, 'no channels');
  return h(
    'ul',
    { class: 'plain' },
    entries.map(([channel, settings]) =>
      h(
        'li',
        {},
        h('strong', {}, channel),
        ': ',
        Object.entries(settings).map(([k, v], i) => [
          i > 0 ? ' · ' : '',
          h('span', { class: 'muted' }, `${k} `),
          String(v),
        ]),
      ),
    ),
  );
}

export const resourcesPage: Page = (root, ctx) => {
  const box = h('div', { id: 'resource-table' }, h('p', { class: 'muted' }, 'Loading…'));
  fill(
    root,
    heading(
      'Resources',
      'Where messages are sent from (resources/list), newest first: the databases linked and, per channel, the sender and the From address.',
    ),
    box,
  );
  load(
    ctx,
    box,
    () => ctx.client.call('resources/list', { limit: LIST_LIMIT }),
    (res) => [
      h('p', { class: 'muted' }, `${num(res.total_count)} resource(s).`),
      table(
        ['id', 'name', 'databases', 'channels'],
        [...res.data].reverse().map((r) => [r.id, h('strong', {}, r.name), r.dbs_ids.join(', '), channels(r)]),
        'No resources yet.',
      ),
    ],
  );
};

const senderCard = (s: Sender): HTMLElement =>
  h(
    'section',
    { class: 'panel sender', 'data-sender': s.name },
    h('h2', {}, s.name, ' ', h('span', { class: 'badge' }, s.type)),
    pairs(
      Object.entries(s.settings).map(([k, v]) => [k, h('span', { class: 'mono wrap' }, v)]),
      'No settings.',
    ),
  );

export const sendersPage: Page = (root, ctx) => {
  const box = h('div', { id: 'sender-list' }, h('p', { class: 'muted' }, 'Loading…'));
  fill(
    root,
    heading(
      'Senders',
      'How messages leave Herald (senders/list). Senders are set in the provisioning file; passwords, keys and header values are never shown.',
    ),
    box,
  );
  load(
    ctx,
    box,
    () => ctx.client.call('senders/list', {}),
    (res) =>
      res.data.length === 0
        ? h('p', { class: 'empty' }, 'No senders.')
        : h('div', { class: 'columns' }, res.data.map(senderCard)),
  );
};
