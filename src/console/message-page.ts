// One message (#/message?id=N): what happened to it (status, attempts, errors, the provider's id
// and receipt), its headers and its content, rendered through templates/preview from its
// trigger's template and its profile as they are now.
import { HeraldError, type Message, type Resource, type TemplatePreview, type Trigger } from '../client/index.js';
import { badge, fill, h, num, pairs, when } from './dom.js';
import { errorText, heading, type Page, type PageContext } from './page.js';

async function findMessage(ctx: PageContext, id: number): Promise<Message | undefined> {
  const res = await ctx.client.call('messages/list', { from_id: id, limit: 1 });
  return res.data.find((m) => m.id === id);
}

function deliveryRows(m: Message): [string, Node | string][] {
  const rows: [string, Node | string][] = [
    ['status', badge(m.status)],
    ['attempts', num(m.attempts)],
    ['due', when(m.due_at)],
    ['sent', when(m.sent_at)],
  ];
  if (m.last_error) rows.push(['last error', m.last_error]);
  if (m.skip_reason === 'suppressed')
    rows.push([
      'skip reason',
      h(
        'span',
        { id: 'skip-suppressed' },
        'suppressed: the address was on a stop list when it was due — ',
        h('a', { href: `#/stoplists?search=${encodeURIComponent(m.address ?? '')}` }, 'Stop lists'),
      ),
    ]);
  else if (m.skip_reason) rows.push(['skip reason', m.skip_reason]);
  if (m.provider_id) rows.push(["provider's id", m.provider_id]);
  if (m.receipt_status)
    rows.push([
      'receipt',
      `${m.receipt_status}${m.receipt_reason ? ` (${m.receipt_reason})` : ''} · ${when(m.receipt_at)}`,
    ]);
  return rows;
}

function headerRows(
  m: Message,
  t: Trigger,
  r: Resource | undefined,
  p: TemplatePreview | undefined,
  accountId: number,
): [string, string][] {
  if (m.channel !== 'email')
    return [
      ['To', m.address ?? ''],
      ['Message id', `herald.${m.id}.${accountId}`],
    ];
  const entry = t.content[0];
  const email = r?.channel_settings?.email;
  const from = entry?.from_email ?? email?.from_email ?? '';
  const fromName = entry?.from_name ?? email?.from_name;
  const reply = entry?.replyto_email ?? email?.replyto_email;
  const rows: [string, string][] = [
    ['From', fromName ? `${fromName} <${from}>` : from],
    ['To', m.address ?? ''],
  ];
  if (reply) rows.push(['Reply-To', reply]);
  rows.push(
    ['Subject', p?.subject ?? ''],
    ['Message-ID', `<herald.${m.id}.${accountId}@${from.slice(from.lastIndexOf('@') + 1) || 'herald.local'}>`],
  );
  rows.push(
    ['List-Unsubscribe', '<the personal unsubscribe link>'],
    ['List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'],
  );
  return rows;
}

function contentView(p: TemplatePreview): HTMLElement {
  if (p.channel === 'email') {
    const frame = h('iframe', { class: 'email-frame', sandbox: '', title: 'HTML part', id: 'message-html' });
    frame.srcdoc = p.html ?? '';
    return h(
      'div',
      {},
      p.html ? frame : null,
      p.text
        ? h('details', { open: !p.html }, h('summary', {}, 'Text part'), h('pre', { id: 'message-text' }, p.text))
        : null,
    );
  }
  const text = [p.title, p.text, p.url, p.image].filter(Boolean).join('\n');
  return h('pre', { id: 'message-text' }, text);
}

/** The message's content rendered now (templates/preview), or why it cannot be (a 404: its template or profile is gone). */
async function renderNow(
  ctx: PageContext,
  m: Message,
  trigger: Trigger,
): Promise<{ rendered?: TemplatePreview; problem: string }> {
  const entry = trigger.content[0];
  try {
    const params = {
      id: entry.message_id,
      db_id: trigger.list_id ?? 0,
      profile_id: m.profile_id,
      ...(m.resource_id ? { resource_id: m.resource_id } : {}),
      ...(entry.subject ? { subject: entry.subject } : {}),
    };
    return { rendered: (await ctx.client.call('templates/preview', params)).data, problem: '' };
  } catch (err) {
    if (!(err instanceof HeraldError) || err.code !== 404) throw err;
    return { problem: `The content cannot be shown: ${errorText(err)}` };
  }
}

function deliveryPanel(m: Message, trigger: Trigger, resource: Resource | undefined): HTMLElement {
  return h(
    'section',
    { class: 'panel', id: 'message-delivery' },
    h('h2', {}, 'Delivery'),
    pairs([
      ['trigger', h('a', { href: `#/messages?trigger_id=${m.trigger_id}` }, `${m.trigger_id} ${trigger.name}`)],
      [
        'profile',
        h(
          'a',
          {
            class: 'mono',
            href: `#/profiles?db_id=${trigger.list_id ?? ''}&matching=profile_id&profile_id=${encodeURIComponent(m.profile_id)}`,
          },
          m.profile_id,
        ),
      ],
      ['channel', m.channel],
      ['resource', resource ? `${resource.id} ${resource.name}` : ''],
      ...deliveryRows(m),
    ]),
  );
}

function contentPanel(trigger: Trigger, rendered: TemplatePreview | undefined, problem: string): HTMLElement {
  return h(
    'section',
    { class: 'panel', id: 'message-content' },
    h('h2', {}, 'Content'),
    h(
      'p',
      { class: 'muted small' },
      `Rendered now from template ${trigger.content[0].message_id} and the profile as they are${trigger.content.length > 1 ? ' (the first variant of the trigger)' : ''}; the launch's content ({apicontent.…}) is not kept with the message and shows empty.`,
    ),
    rendered ? contentView(rendered) : h('p', { class: 'empty' }, problem),
  );
}

/** Reads the message, its trigger, resource and account, renders its content, and shows them in `body`. */
async function showMessage(ctx: PageContext, body: HTMLElement, id: number): Promise<void> {
  const m = id > 0 ? await findMessage(ctx, id) : undefined;
  if (!m)
    return fill(body, h('p', { class: 'empty', id: 'message-none' }, `No message ${ctx.params.get('id') ?? ''}.`));
  const [{ data: trigger }, account] = await Promise.all([
    ctx.client.call('campaigns/triggers/get', { id: m.trigger_id }),
    ctx.client.call('account/get', {}),
  ]);
  const resource = m.resource_id ? (await ctx.client.call('resources/get', { id: m.resource_id })).data : undefined;
  const { rendered, problem } = await renderNow(ctx, m, trigger);
  fill(
    body,
    h(
      'div',
      { class: 'columns' },
      deliveryPanel(m, trigger, resource),
      h(
        'section',
        { class: 'panel', id: 'message-headers' },
        h('h2', {}, 'Headers'),
        pairs(headerRows(m, trigger, resource, rendered, account.data.id)),
      ),
    ),
    contentPanel(trigger, rendered, problem),
  );
}

export const messagePage: Page = (root, ctx) => {
  const id = Number(ctx.params.get('id'));
  const body = h('div', { id: 'message-detail' }, h('p', { class: 'muted' }, 'Loading…'));
  fill(root, heading(`Message ${id || ''}`), h('p', {}, h('a', { href: '#/messages' }, '← all messages')), body);
  showMessage(ctx, body, id).catch((err: unknown) => {
    fill(body);
    ctx.fail(err);
  });
};
