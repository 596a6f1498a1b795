// "Send a test" beside a template's preview: the template as it stands in the editor, rendered
// for the preview's sample fields or profile, sent once to an address (templates/test_send) —
// an email template to an email address, an SMS template to a phone — through the resource
// chosen (or the account's only one); the worker's outcome is read back from templates/tests.
import type { Channel, TemplatePreviewParams, TestSend } from '../client/index.js';
import { field, h } from './dom.js';
import { errorText, type PageContext } from './page.js';

/** How often, and how long, the box asks how the test went. */
const POLL_MS = 400;
const POLL_FOR_MS = 20_000;

export interface TestSendBox {
  element: HTMLElement;
  /** Shows the box for the editor's channel (push templates have no test send). */
  sync(channel: Channel): void;
}

/** The test send once the worker has sent it or given up (undefined: still queued after POLL_FOR_MS). */
async function settled(ctx: PageContext, id: number): Promise<TestSend | undefined> {
  for (const until = Date.now() + POLL_FOR_MS; Date.now() < until;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const t = (await ctx.client.call('templates/tests', { limit: 100 })).data.find((x) => x.id === id);
    if (t && t.status !== 'scheduled' && t.status !== 'sending') return t;
  }
  return undefined;
}

interface SendControls {
  params: () => TemplatePreviewParams;
  address: HTMLInputElement;
  resource: HTMLSelectElement;
  button: HTMLButtonElement;
  status: HTMLElement;
}

/** Queues the test (templates/test_send) and tells in `status` how it went. */
async function sendTest(ctx: PageContext, c: SendControls, to: 'test_email' | 'test_phone'): Promise<void> {
  const { button, status } = c;
  button.disabled = true;
  status.className = 'muted small';
  status.textContent = 'Sending…';
  try {
    const body: TemplatePreviewParams = {
      ...c.params(),
      [to]: c.address.value.trim(),
      ...(c.resource.value ? { resource_id: Number(c.resource.value) } : {}),
    };
    const queued = (await ctx.client.call('templates/test_send', body)).data.test;
    status.textContent = `Test ${queued.id} queued for ${queued.address} (resource ${queued.resource_id})…`;
    const done = await settled(ctx, queued.id);
    if (!done) status.textContent = `Test ${queued.id} is still queued: is a worker running (HERALD_WORKERS)?`;
    else if (done.status === 'sent') status.textContent = `Test ${done.id} sent to ${done.address}.`;
    else {
      status.className = 'error small';
      status.textContent = `Test ${done.id} failed: ${done.error ?? 'the sender refused it'}`;
    }
  } catch (err) {
    status.className = 'error small';
    status.textContent = errorText(err);
  } finally {
    button.disabled = false;
  }
}

/** `params()` is the preview's request as the editor stands; it throws when the editor's JSON is not valid. */
export function testSendBox(ctx: PageContext, params: () => TemplatePreviewParams): TestSendBox {
  const address = h('input', { id: 'test-address', required: true, autocomplete: 'off' });
  const resource = h('select', { id: 'test-resource' }, h('option', { value: '' }, 'default'));
  const button = h('button', { type: 'submit', id: 'test-send' }, 'Send test');
  const status = h('p', { id: 'test-status', class: 'muted small', role: 'status' });
  const noPush = h('p', { class: 'muted small', hidden: true }, 'A push template has no test send.');
  let channel: Channel = 'email';

  const send = () =>
    sendTest(ctx, { params, address, resource, button, status }, channel === 'sms' ? 'test_phone' : 'test_email');

  const form = h(
    'form',
    {
      id: 'test-send-form',
      class: 'test-send',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void send();
      },
    },
    h('div', { class: 'row' }, field('Send a test to', address), field('Resource', resource), button),
    status,
  );
  void ctx.client
    .call('resources/list', { limit: 1000 })
    .then((res) => {
      for (const r of res.data) resource.append(h('option', { value: String(r.id) }, `${r.id} · ${r.name}`));
    })
    .catch((err: unknown) => ctx.fail(err));

  return {
    element: h('div', { class: 'test-send-box' }, h('h3', {}, 'Test send'), form, noPush),
    sync(next: Channel) {
      channel = next;
      form.hidden = next === 'push';
      noPush.hidden = next !== 'push';
      address.placeholder = next === 'sms' ? '+79001234567' : 'you@example.com';
    },
  };
}
