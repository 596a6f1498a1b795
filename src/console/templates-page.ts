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
import { errorText, heading, type Page, type PageContext } from './page.js';
import { testSendBox, type TestSendBox } from './test-send.js';

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

/** The editor's controls: the template's name, channel and parts, the preview's sample and its output. */
interface Editor {
  /** The template being edited; undefined for a new one. */
  editId: number | undefined;
  name: HTMLInputElement;
  channel: HTMLSelectElement;
  inputs: Record<Part, HTMLInputElement | HTMLTextAreaElement>;
  wrappers: Record<Part, HTMLElement>;
  sample: HTMLTextAreaElement;
  content: HTMLTextAreaElement;
  dbId: HTMLInputElement;
  profileId: HTMLInputElement;
  preview: HTMLElement;
  note: HTMLElement;
  saveButton: HTMLButtonElement;
}

function partInputs(): Record<Part, HTMLInputElement | HTMLTextAreaElement> {
  return Object.fromEntries(
    ALL_PARTS.map((k) => [
      k,
      MULTILINE.has(k)
        ? h('textarea', { id: `tpl-${k}`, name: k, rows: k === 'html' ? 10 : 5, spellcheck: false })
        : h('input', { id: `tpl-${k}`, name: k, spellcheck: false }),
    ]),
  ) as Record<Part, HTMLInputElement | HTMLTextAreaElement>;
}

function editorControls(editId: number | undefined): Editor {
  const inputs = partInputs();
  const sample = h('textarea', { id: 'tpl-sample', rows: 3, spellcheck: false });
  sample.value = SAMPLE;
  return {
    editId,
    name: h('input', { id: 'tpl-name', name: 'name', required: true, placeholder: 'Welcome' }),
    channel: h(
      'select',
      { id: 'tpl-channel', name: 'channel' },
      CHANNELS.map((c) => h('option', { value: c }, c)),
    ),
    inputs,
    wrappers: Object.fromEntries(ALL_PARTS.map((k) => [k, field(LABELS[k], inputs[k])])) as Record<Part, HTMLElement>,
    sample,
    content: h('textarea', { id: 'tpl-content', rows: 2, spellcheck: false, placeholder: '{"page": "pricing"}' }),
    dbId: h('input', { id: 'tpl-db', size: 4, placeholder: '1', inputmode: 'numeric' }),
    profileId: h('input', { id: 'tpl-profile', size: 26, placeholder: 'profile id (instead of sample fields)' }),
    preview: h(
      'div',
      { id: 'template-preview', class: 'preview' },
      h('p', { class: 'muted' }, 'The preview shows here.'),
    ),
    note: h('p', { id: 'tpl-note', class: 'muted', role: 'status' }),
    saveButton: h('button', { type: 'submit', id: 'tpl-save' }, editId ? 'Save changes' : 'Create template'),
  };
}

const channelOf = (ed: Editor): Channel => ed.channel.value as Channel;

/** The non-empty parts of the editor's channel. */
const parts = (ed: Editor): Partial<Record<Part, string>> =>
  Object.fromEntries(PARTS[channelOf(ed)].map((k) => [k, ed.inputs[k].value]).filter(([, v]) => v !== ''));

/** The preview's request: the editor's template, for the sample fields or the stored profile. */
function previewRequest(ed: Editor): TemplatePreviewParams {
  const params: TemplatePreviewParams = { channel: channelOf(ed), ...parts(ed) };
  const c = jsonObject(ed.content.value, 'Content');
  if (c) params.content = c;
  if (ed.profileId.value.trim())
    Object.assign(params, { db_id: Number(ed.dbId.value) || 1, profile_id: ed.profileId.value.trim() });
  else params.data = jsonObject(ed.sample.value, 'Sample fields') ?? {};
  return params;
}

interface LivePreview {
  /** Renders the editor's template now; only the latest request's answer is shown. */
  render(): Promise<void>;
  /** Renders once the typing pauses (PREVIEW_DELAY_MS). */
  schedule(): void;
  stop(): void;
}

function livePreview(ctx: PageContext, ed: Editor): LivePreview {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  async function render(): Promise<void> {
    const ticket = ++asked;
    if (Object.keys(parts(ed)).length === 0)
      return fill(ed.preview, h('p', { class: 'muted' }, 'Type the template: its preview shows here as you type.'));
    try {
      const res = await ctx.client.call('templates/preview', previewRequest(ed));
      if (ticket === asked) fill(ed.preview, previewView(res.data));
    } catch (err) {
      if (ticket !== asked) return;
      if (err instanceof HeraldError && err.code >= 500) ctx.fail(err);
      fill(
        ed.preview,
        h(
          'p',
          { class: 'error', id: 'preview-error' },
          err instanceof HeraldError ? err.debug || err.text : errorText(err),
        ),
      );
    }
  }
  return {
    render,
    schedule() {
      clearTimeout(timer);
      timer = setTimeout(() => void render(), PREVIEW_DELAY_MS);
    },
    stop: () => clearTimeout(timer),
  };
}

async function save(ctx: PageContext, ed: Editor): Promise<void> {
  ed.saveButton.disabled = true;
  try {
    const body = { name: ed.name.value.trim(), channel: channelOf(ed), ...parts(ed) };
    const saved = ed.editId
      ? await ctx.client.call('templates/update', { id: ed.editId, ...body })
      : await ctx.client.call('templates/add', body);
    ctx.navigate('templates', { id: saved.data.id, saved: 1 });
  } catch (err) {
    ed.note.textContent = '';
    ctx.fail(err);
  } finally {
    ed.saveButton.disabled = false;
  }
}

async function remove(ctx: PageContext, ed: Editor): Promise<void> {
  const { editId } = ed;
  if (!editId || !confirmed(`Delete template ${editId} “${ed.name.value}”? This cannot be undone.`)) return;
  try {
    await ctx.client.call('templates/delete', { id: editId });
    ctx.navigate('templates', {});
  } catch (err) {
    ctx.fail(err);
  }
}

/** The editor's form: a change of the channel shows its parts; any change renders the preview. */
function editorForm(ctx: PageContext, ed: Editor, sync: () => void, live: LivePreview): HTMLElement {
  const deleteButton = ed.editId
    ? h('button', { type: 'button', class: 'danger', id: 'tpl-delete', onclick: () => void remove(ctx, ed) }, 'Delete')
    : null;
  return h(
    'form',
    {
      class: 'panel editor',
      id: 'template-form',
      oninput: live.schedule,
      onchange: () => {
        sync();
        live.schedule();
      },
      onsubmit: (e: Event) => {
        e.preventDefault();
        void save(ctx, ed);
      },
    },
    h('h2', {}, ed.editId ? `Template ${ed.editId}` : 'New template'),
    h('div', { class: 'row' }, field('Name', ed.name), field('Channel', ed.channel)),
    ALL_PARTS.map((k) => ed.wrappers[k]),
    h('div', { class: 'row actions-row' }, ed.saveButton, deleteButton, ed.note),
  );
}

/** The preview's panel: its sample fields (or stored profile), the preview itself and the test send. */
function previewPanel(ed: Editor, live: LivePreview, tests: TestSendBox): HTMLElement {
  return h(
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
      { class: 'sample', oninput: live.schedule, onsubmit: (e: Event) => e.preventDefault() },
      field('Sample fields ({lead.…})', ed.sample),
      h('div', { class: 'row' }, field('Database', ed.dbId), field('Profile id', ed.profileId)),
      field('Content ({apicontent.…})', ed.content),
    ),
    ed.preview,
    tests.element,
  );
}

function listPanel(list: HTMLElement): HTMLElement {
  return h(
    'section',
    { class: 'panel' },
    h(
      'div',
      { class: 'row spread' },
      h('h2', {}, 'All templates'),
      h('a', { href: '#/templates', class: 'button', id: 'tpl-new' }, 'New template'),
    ),
    list,
  );
}

/** Fills the list with the templates, newest first; answers them. */
async function loadList(ctx: PageContext, list: HTMLElement, editId: number | undefined): Promise<TemplateListItem[]> {
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
  return newest;
}

/** Puts the edited template's fields, from templates/get (the list's items are summaries), into the editor. */
async function loadEdited(ctx: PageContext, ed: Editor, editId: number, sync: () => void): Promise<void> {
  const current = (await ctx.client.call('templates/get', { id: editId })).data;
  ed.name.value = current.name;
  // The editor edits one channel: the template's first (a template of several channels is edited per channel through the API).
  const first = current.channels[0];
  ed.channel.value = first?.sid ?? 'email';
  ed.channel.disabled = true;
  const fields = fromAltcraftFields(first?.fields ?? {});
  for (const k of ALL_PARTS) ed.inputs[k].value = fields[k] ?? '';
  sync();
}

async function load(
  ctx: PageContext,
  ed: Editor,
  list: HTMLElement,
  sync: () => void,
  live: LivePreview,
): Promise<void> {
  const { editId } = ed;
  try {
    const newest = await loadList(ctx, list, editId);
    if (editId && !newest.some((t) => t.id === editId)) throw new Error(`template ${editId} not found`);
    if (editId) await loadEdited(ctx, ed, editId, sync);
    await live.render();
  } catch (err) {
    ctx.fail(err);
  }
}

export const templatesPage: Page = (root, ctx) => {
  const ed = editorControls(Number(ctx.params.get('id')) || undefined);
  const list = h('div', { id: 'template-list' }, h('p', { class: 'muted' }, 'Loading…'));
  // A test send of a saved template is recorded as that template's.
  const tests = testSendBox(ctx, () => ({ ...(ed.editId ? { id: ed.editId } : {}), ...previewRequest(ed) }));
  const sync = () => {
    for (const k of ALL_PARTS) ed.wrappers[k].hidden = !PARTS[channelOf(ed)].includes(k);
    tests.sync(channelOf(ed));
  };
  const live = livePreview(ctx, ed);
  fill(
    root,
    heading(
      'Templates',
      'Message templates, newest first. Variables: {lead.<field>}, {subscription.<field>}, {apicontent.<key>}, {unsubscribe}.',
    ),
    h(
      'div',
      { class: 'templates-layout' },
      listPanel(list),
      editorForm(ctx, ed, sync, live),
      previewPanel(ed, live, tests),
    ),
  );
  if (ctx.params.get('saved')) ed.note.textContent = 'Saved.';
  sync();
  void load(ctx, ed, list, sync, live);
  return live.stop;
};
