// Templates: the list (newest first) and an editor with a live preview. Every change of the
// editor renders the template as it stands — saved or not — through templates/preview, for
// sample profile fields or a stored profile; the grammar's refusals show in the preview at once.
// Save is templates/add or templates/update; delete asks first. A test send goes beside the
// preview (test-send.ts).
import {
  CHANNELS,
  HeraldError,
  type Channel,
  type TemplateListItem,
  type TemplatePreview,
  type TemplatePreviewParams,
} from '../client/index.js';
import { confirmed, field, fill, h, num, table } from './dom.js';
import { errorText, heading, type Page } from './page.js';
import { testSendBox } from './test-send.js';

type Part = 'subject' | 'html' | 'text' | 'title' | 'url' | 'image';
const PARTS: Record<Channel, Part[]> = {
  email: ['subject', 'html', 'text'],
  sms: ['text'],
  push: ['title', 'text', 'url', 'image'],
};
const ALL_PARTS: Part[] = ['subject', 'html', 'text', 'title', 'url', 'image'];
const MULTILINE = new Set<Part>(['html', 'text']);
const LABELS: Record<Part, string> = {
  subject: 'Subject',
  html: 'HTML',
  text: 'Text',
  title: 'Title',
  url: 'URL (on click)',
  image: 'Image URL',
};
const PREVIEW_DELAY_MS = 250;
const SAMPLE = '{"email": "ann@example.com", "_fname": "Ann", "_lname": "Lee"}';

/** Altcraft's field names of a channel's content (templates/get) as the editor's parts: sms `sms`, push `body` and `click_url`. */
const FIELD_PARTS: Record<string, Part> = {
  subject: 'subject',
  html: 'html',
  text: 'text',
  sms: 'text',
  title: 'title',
  body: 'text',
  click_url: 'url',
  url: 'url',
  image: 'image',
};

function fromAltcraftFields(fields: Record<string, string>): Partial<Record<Part, string>> {
  const out: Partial<Record<Part, string>> = {};
  for (const [name, value] of Object.entries(fields)) {
    const part = FIELD_PARTS[name];
    if (part !== undefined && out[part] === undefined) out[part] = value;
  }
  return out;
}

/** Parses a JSON object typed into a textarea; undefined when empty. */
function jsonObject(text: string, what: string): Record<string, unknown> | undefined {
  if (!text.trim()) return undefined;
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function previewView(p: TemplatePreview): HTMLElement {
  if (p.channel === 'email') {
    const frame = h('iframe', { class: 'email-frame', sandbox: '', title: 'HTML part', id: 'preview-html' });
    frame.srcdoc = p.html ?? '';
    return h(
      'div',
      { class: 'preview-email' },
      h(
        'div',
        { class: 'preview-subject' },
        h('span', { class: 'muted' }, 'Subject '),
        h('strong', { id: 'preview-subject' }, p.subject ?? ''),
      ),
      p.html ? frame : h('p', { class: 'muted' }, 'No HTML part.'),
      p.text
        ? h('details', { open: !p.html }, h('summary', {}, 'Text part'), h('pre', { id: 'preview-text' }, p.text))
        : null,
    );
  }
  if (p.channel === 'sms') return h('div', { class: 'sms-bubble', id: 'preview-text' }, p.text ?? '');
  return h(
    'div',
    { class: 'push-card' },
    h('strong', { id: 'preview-title' }, p.title ?? ''),
    h('p', { id: 'preview-text' }, p.text ?? ''),
    p.url ? h('div', { class: 'small mono' }, p.url) : null,
    p.image ? h('div', { class: 'small mono' }, `image: ${p.image}`) : null,
  );
}

export const templatesPage: Page = (root, ctx) => {
  const editId = Number(ctx.params.get('id')) || undefined;
  const list = h('div', { id: 'template-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const name = h('input', { id: 'tpl-name', name: 'name', required: true, placeholder: 'Welcome' });
  const channel = h(
    'select',
    { id: 'tpl-channel', name: 'channel' },
    CHANNELS.map((c) => h('option', { value: c }, c)),
  );
  const inputs = Object.fromEntries(
    ALL_PARTS.map((k) => [
      k,
      MULTILINE.has(k)
        ? h('textarea', { id: `tpl-${k}`, name: k, rows: k === 'html' ? 10 : 5, spellcheck: false })
        : h('input', { id: `tpl-${k}`, name: k, spellcheck: false }),
    ]),
  ) as Record<Part, HTMLInputElement | HTMLTextAreaElement>;
  const wrappers = Object.fromEntries(ALL_PARTS.map((k) => [k, field(LABELS[k], inputs[k])])) as Record<
    Part,
    HTMLElement
  >;
  const sample = h('textarea', { id: 'tpl-sample', rows: 3, spellcheck: false });
  sample.value = SAMPLE;
  const content = h('textarea', { id: 'tpl-content', rows: 2, spellcheck: false, placeholder: '{"page": "pricing"}' });
  const dbId = h('input', { id: 'tpl-db', size: 4, placeholder: '1', inputmode: 'numeric' });
  const profileId = h('input', { id: 'tpl-profile', size: 26, placeholder: 'profile id (instead of sample fields)' });
  const preview = h(
    'div',
    { id: 'template-preview', class: 'preview' },
    h('p', { class: 'muted' }, 'The preview shows here.'),
  );
  const note = h('p', { id: 'tpl-note', class: 'muted', role: 'status' });
  const saveButton = h('button', { type: 'submit', id: 'tpl-save' }, editId ? 'Save changes' : 'Create template');
  const deleteButton = editId
    ? h('button', { type: 'button', class: 'danger', id: 'tpl-delete', onclick: () => void remove() }, 'Delete')
    : null;

  const parts = (): Partial<Record<Part, string>> =>
    Object.fromEntries(PARTS[channel.value as Channel].map((k) => [k, inputs[k].value]).filter(([, v]) => v !== ''));
  /** The preview's request: the editor's template, for the sample fields or the stored profile. */
  const previewRequest = (): TemplatePreviewParams => {
    const params: TemplatePreviewParams = { channel: channel.value as Channel, ...parts() };
    const c = jsonObject(content.value, 'Content');
    if (c) params.content = c;
    if (profileId.value.trim())
      Object.assign(params, { db_id: Number(dbId.value) || 1, profile_id: profileId.value.trim() });
    else params.data = jsonObject(sample.value, 'Sample fields') ?? {};
    return params;
  };
  // A test send of a saved template is recorded as that template's.
  const tests = testSendBox(ctx, () => ({ ...(editId ? { id: editId } : {}), ...previewRequest() }));
  const sync = () => {
    for (const k of ALL_PARTS) wrappers[k].hidden = !PARTS[channel.value as Channel].includes(k);
    tests.sync(channel.value as Channel);
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  async function renderPreview(): Promise<void> {
    const ticket = ++asked;
    if (Object.keys(parts()).length === 0)
      return fill(preview, h('p', { class: 'muted' }, 'Type the template: its preview shows here as you type.'));
    try {
      const res = await ctx.client.call('templates/preview', previewRequest());
      if (ticket === asked) fill(preview, previewView(res.data));
    } catch (err) {
      if (ticket !== asked) return;
      if (err instanceof HeraldError && err.code >= 500) ctx.fail(err);
      fill(
        preview,
        h(
          'p',
          { class: 'error', id: 'preview-error' },
          err instanceof HeraldError ? err.debug || err.text : errorText(err),
        ),
      );
    }
  }
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void renderPreview(), PREVIEW_DELAY_MS);
  };

  async function save(): Promise<void> {
    saveButton.disabled = true;
    try {
      const body = { name: name.value.trim(), channel: channel.value as Channel, ...parts() };
      const saved = editId
        ? await ctx.client.call('templates/update', { id: editId, ...body })
        : await ctx.client.call('templates/add', body);
      ctx.navigate('templates', { id: saved.data.id, saved: 1 });
    } catch (err) {
      note.textContent = '';
      ctx.fail(err);
    } finally {
      saveButton.disabled = false;
    }
  }

  async function remove(): Promise<void> {
    if (!editId || !confirmed(`Delete template ${editId} “${name.value}”? This cannot be undone.`)) return;
    try {
      await ctx.client.call('templates/delete', { id: editId });
      ctx.navigate('templates', {});
    } catch (err) {
      ctx.fail(err);
    }
  }

  const form = h(
    'form',
    {
      class: 'panel editor',
      id: 'template-form',
      oninput: schedule,
      onchange: () => {
        sync();
        schedule();
      },
      onsubmit: (e: Event) => {
        e.preventDefault();
        void save();
      },
    },
    h('h2', {}, editId ? `Template ${editId}` : 'New template'),
    h('div', { class: 'row' }, field('Name', name), field('Channel', channel)),
    ALL_PARTS.map((k) => wrappers[k]),
    h('div', { class: 'row actions-row' }, saveButton, deleteButton, note),
  );
  const sampleBox = h(
    'section',
    { class: 'panel' },
    h('h2', {}, 'Preview'),
    h(
      'p',
      { class: 'muted small' },
      'Rendered as a send would render it (templates/preview), for these sample fields — or a stored profile.',
    ),
    h(
      'form',
      { class: 'sample', oninput: schedule, onsubmit: (e: Event) => e.preventDefault() },
      field('Sample fields ({lead.…})', sample),
      h('div', { class: 'row' }, field('Database', dbId), field('Profile id', profileId)),
      field('Content ({apicontent.…})', content),
    ),
    preview,
    tests.element,
  );

  fill(
    root,
    heading(
      'Templates',
      'Message templates, newest first. Variables: {lead.<field>}, {subscription.<field>}, {apicontent.<key>}, {unsubscribe}.',
    ),
    h(
      'div',
      { class: 'templates-layout' },
      h(
        'section',
        { class: 'panel' },
        h(
          'div',
          { class: 'row spread' },
          h('h2', {}, 'All templates'),
          h('a', { href: '#/templates', class: 'button', id: 'tpl-new' }, 'New template'),
        ),
        list,
      ),
      form,
      sampleBox,
    ),
  );
  if (ctx.params.get('saved')) note.textContent = 'Saved.';
  sync();

  void (async () => {
    try {
      const res = await ctx.client.call('templates/list', { limit: 1000 });
      const newest: TemplateListItem[] = [...res.data].reverse();
      const link = (t: TemplateListItem) =>
        h('a', { href: `#/templates?id=${t.id}`, class: t.id === editId ? 'current' : '' }, t.name);
      fill(
        list,
        h('p', { class: 'muted small' }, `${num(res.total_count)} template(s).`),
        table(
          ['id', 'name', 'channels'],
          newest.map((t) => [t.id, link(t), t.channels.join(', ')]),
          'No templates yet.',
        ),
      );
      if (editId && !newest.some((t) => t.id === editId)) throw new Error(`template ${editId} not found`);
      // The edited template's fields come from templates/get (the list's items are summaries).
      const current = editId ? (await ctx.client.call('templates/get', { id: editId })).data : undefined;
      if (current) {
        name.value = current.name;
        // The editor edits one channel: the template's first (a template of several channels is edited per channel through the API).
        const first = current.channels[0];
        channel.value = first?.sid ?? 'email';
        channel.disabled = true;
        const fields = fromAltcraftFields(first?.fields ?? {});
        for (const k of ALL_PARTS) inputs[k].value = fields[k] ?? '';
        sync();
      }
      await renderPreview();
    } catch (err) {
      ctx.fail(err);
    }
  })();
  return () => clearTimeout(timer);
};
