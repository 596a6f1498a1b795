// templates/test_send — a preview with `test_email` or `test_phone` (spec 05): the template is
// rendered as templates/preview renders it and queued, once, for the channel sender of a
// resource; a delivery worker sends it (delivery/test-sends.ts). A test send is no message: it
// has no open pixel, no tracked links, no working unsubscribe link, and no counter, report, hook
// or stop list sees it. At most TEST_SENDS_PER_HOUR per account, so a write token cannot turn it
// into a mailing.
import { defineMethod } from '../api/define.js';
import type { ReadCall, WriteCall } from '../api/method.js';
import { ApiError, invalid } from '../base/errors.js';
import { findChannelSender } from '../catalog/channel-sender.js';
import { getDatabase, getResource } from '../catalog/lookup.js';
import { phoneRegionOf, type Catalog, type ResourceDef } from '../catalog/types.js';
import type { TestContent, TestSendReader, TestSendTx } from '../delivery/test-send-port.js';
import type { ProfileTx } from '../profiles/store-port.js';
import { render, type RenderScope } from '../templates/render.js';
import { normalizeEmail } from '../values/formats.js';
import { arrayJson, intJson, nullable, obj, one, strJson, timeJson, titled } from '../values/json-schema.js';
import { iso } from '../values/paging.js';
import { int, object, optional, type Decoded } from '../values/schema.js';
import { normalizePhone } from '../values/phone.js';
import {
  previewJson,
  previewParams,
  renderTemplate,
  type PreviewInput,
  type RenderedPreview,
  type RenderedTemplate,
} from './template-preview.js';

/** Test sends an account may queue in an hour. */
export const TEST_SENDS_PER_HOUR = 30;
const HOUR_MS = 3_600_000;

/** The preview of a template that has a test send (email, SMS). */
type TestPreview = Exclude<RenderedPreview, { channel: 'push' }>;
type TestChannel = TestPreview['channel'];

/** The address of the test: the parameter of the template's channel, checked. */
function addressOf(catalog: Catalog, input: PreviewInput, channel: TestChannel, resource: ResourceDef): string {
  const wanted = channel === 'email' ? 'test_email' : 'test_phone';
  const other = channel === 'email' ? 'test_phone' : 'test_email';
  const given = input[wanted];
  if (given === undefined) throw invalid(`${other}: a test send of an ${channel} template goes to ${wanted}`);
  if (channel === 'email') {
    const email = normalizeEmail(given);
    if (!email) throw invalid(`test_email: '${given}' is not an email address`);
    return email;
  }
  const dbId = input.db_id ?? resource.dbIds[0];
  const region = dbId !== undefined ? phoneRegionOf(getDatabase(catalog, dbId)) : undefined;
  const phone = normalizePhone(given, region);
  if (!phone) throw invalid(`test_phone: '${given}' is not a phone number`);
  return phone;
}

/** The resource whose sender sends the test: the one named, the profile's subscription's, or the account's only one. */
function resourceOf(
  catalog: Catalog,
  input: PreviewInput,
  channel: TestChannel,
  rendered: RenderedTemplate,
): ResourceDef {
  const id = input.resource_id ?? rendered.subscription?.resourceId;
  if (id !== undefined) return getResource(catalog, id);
  const withChannel = [...catalog.resources.values()].filter((r) => r.channels[channel] !== undefined);
  if (withChannel.length === 1) return withChannel[0];
  throw invalid(`resource_id: name the resource whose ${channel} sender sends the test`);
}

function contentOf(preview: TestPreview, scope: RenderScope, resource: ResourceDef): TestContent {
  if (preview.channel === 'sms')
    return { channel: 'sms', text: preview.text, vars: { lead: scope.lead, subscription: scope.subscription } };
  const settings = resource.channels.email;
  if (!settings?.from_email) throw invalid(`resource ${resource.id} has no from_email for the test's From`);
  const name = settings.from_name ? render(settings.from_name, scope, 'header') : '';
  const replyName = settings.replyto_name ? render(settings.replyto_name, scope, 'header') : '';
  return {
    channel: 'email',
    from: { address: settings.from_email, ...(name ? { name } : {}) },
    ...(settings.replyto_email
      ? { replyTo: { address: settings.replyto_email, ...(replyName ? { name: replyName } : {}) } }
      : {}),
    subject: preview.subject,
    ...(preview.html ? { html: preview.html } : {}),
    ...(preview.text ? { text: preview.text } : {}),
  };
}

export async function testSend(call: WriteCall<ProfileTx & TestSendTx>, input: PreviewInput) {
  const { tx, catalog } = call;
  const source = { findMatches: tx.findMatches.bind(tx), readProfiles: tx.loadProfiles.bind(tx) };
  const rendered = await renderTemplate(source, catalog, input);
  const preview = rendered.preview;
  if (preview.channel === 'push') throw invalid('a push template has no test send: preview it, or launch its trigger');
  const channel = preview.channel;
  const resource = resourceOf(catalog, input, channel, rendered);
  if (!findChannelSender(catalog, resource.id, channel))
    throw invalid(`resource ${resource.id} has no ${channel} sender to send the test`);
  const address = addressOf(catalog, input, channel, resource);
  const content = contentOf(preview, rendered.scope, resource);
  const now = call.env.clock.now();
  if ((await tx.countTestSends(catalog.accountId, now - HOUR_MS)) >= TEST_SENDS_PER_HOUR)
    throw new ApiError(429, `at most ${TEST_SENDS_PER_HOUR} test sends an hour`, { retryAfter: 60 });
  const id = await tx.insertTestSend({
    accountId: catalog.accountId,
    templateId: input.id ?? null,
    resourceId: resource.id,
    address,
    content,
    now,
  });
  return { data: { ...rendered.preview, test: { id, status: 'scheduled', address, resource_id: resource.id } } };
}

const testJson = titled(
  'TestSendQueued',
  obj(
    { id: { type: 'integer' }, status: strJson, address: strJson, resource_id: { type: 'integer' } },
    ['id', 'status', 'address', 'resource_id'],
    'the test send queued: templates/tests shows how it went',
  ),
);

const listParams = object({
  template_id: optional(int({ min: 1 }), undefined, { aliases: ['id'] }),
  limit: optional(int({ min: 1, max: 100 }), 20),
});

const testSendJson = titled(
  'TestSend',
  obj(
    {
      id: intJson,
      template_id: nullable(intJson),
      channel: { type: 'string', enum: ['email', 'sms'] },
      resource_id: intJson,
      address: strJson,
      status: { type: 'string', enum: ['scheduled', 'sending', 'sent', 'failed'] },
      error: nullable(strJson),
      provider_id: nullable(strJson),
      created_at: timeJson,
      sent_at: nullable(timeJson),
    },
    ['id', 'template_id', 'channel', 'resource_id', 'address', 'status', 'error', 'created_at', 'sent_at'],
  ),
);

export async function listTestSends(call: ReadCall<TestSendReader>, input: Decoded<typeof listParams>) {
  const rows = await call.read.listTestSends(call.catalog.accountId, {
    ...(input.template_id !== undefined ? { templateId: input.template_id } : {}),
    limit: input.limit,
  });
  return {
    data: rows.map((t) => ({
      id: t.id,
      template_id: t.templateId,
      channel: t.channel,
      resource_id: t.resourceId,
      address: t.address,
      status: t.status,
      error: t.error,
      provider_id: t.providerId,
      created_at: iso(t.createdAt),
      sent_at: iso(t.sentAt),
    })),
  };
}

export const templateTestSendMethods = [
  defineMethod({
    name: 'templates/test_send',
    summary:
      'Render a template as templates/preview does and send it once to test_email or test_phone through a resource’s sender (also templates/preview with those)',
    write: true,
    params: previewParams,
    payload: one({
      ...previewJson,
      title: 'TemplateTestSend',
      properties: { ...(previewJson.properties as Record<string, unknown>), test: testJson },
      required: [...(previewJson.required as string[]), 'test'],
    }),
    handle: testSend,
  }),
  defineMethod({
    name: 'templates/tests',
    summary: 'The account’s test sends, newest first (of one template with template_id), and how each went',
    write: false,
    params: listParams,
    payload: one(arrayJson(testSendJson)),
    handle: listTestSends,
  }),
];
