// templates/preview (spec 05): a template — saved (`id`), saved with changed fields, or given
// whole inline — rendered for a stored profile (`db_id` + `profile_id`) or for sample profile
// fields (`data`), with the request's `content`, as a send would render it. Nothing is written;
// with `test_email` or `test_phone` the request is a test send (template-test-send.ts).
import { defineMethod } from '../api/define.js';
import type { ReadCall } from '../api/method.js';
import { invalid } from '../base/errors.js';
import { getResource, getTemplate } from '../catalog/lookup.js';
import { checkTemplate, stripUndefined } from '../catalog/decode.js';
import { CHANNELS, templateChannels, type Catalog, type Channel, type TemplateContent } from '../catalog/types.js';
import { leadScope, subscriptionScope } from '../delivery/compose.js';
import { readProfile } from '../profiles/profile-methods.js';
import type { ProfileReader, StoredProfile, StoredSubscription } from '../profiles/store-port.js';
import { render, type RenderScope } from '../templates/render.js';
import { obj, one, strJson, titled } from '../values/json-schema.js';
import { anyObject, describedAs, int, object, oneOf, optional, str, type Decoded } from '../values/schema.js';
import { validated } from './change.js';

/** What `{unsubscribe}` renders to in a preview: a preview is no message, so its link leads nowhere. */
export const PREVIEW_UNSUBSCRIBE = '#unsubscribe-preview';

const PARTS = ['subject', 'html', 'text', 'title', 'url', 'image'] as const;
type Part = (typeof PARTS)[number];

/** The profiles a preview may read: outside a transaction (preview) or in one (a test send). */
export type ProfileSource = Pick<ProfileReader, 'findMatches' | 'readProfiles'>;

/** The parameters that make a preview a test send: the dispatcher runs it as the write method templates/test_send. */
export const TEST_SEND_PARAMS = ['test_email', 'test_phone'] as const;

export const previewParams = object({
  id: optional(int({ min: 1 }), undefined, { aliases: ['template_id'] }),
  name: optional(str()),
  channel: optional(oneOf(CHANNELS)),
  subject: optional(str()),
  html: optional(str()),
  text: optional(str()),
  title: optional(str()),
  url: optional(str()),
  image: optional(str()),
  db_id: optional(int({ min: 1 }), undefined, { aliases: ['list_id'] }),
  profile_id: optional(str()),
  data: optional(anyObject()),
  content: optional(anyObject()),
  resource_id: optional(int({ min: 1 })),
  test_email: optional(
    describedAs(str(), {
      description: 'send the rendered email once to this address (a test send: a write token is needed)',
    }),
  ),
  test_phone: optional(
    describedAs(str(), {
      description: 'send the rendered SMS once to this phone (a test send: a write token is needed)',
    }),
  ),
});
export type PreviewInput = Decoded<typeof previewParams>;

export const previewJson = titled(
  'TemplatePreview',
  obj(
    {
      channel: { type: 'string', enum: [...CHANNELS] },
      subject: strJson,
      html: strJson,
      text: strJson,
      title: strJson,
      url: strJson,
      image: strJson,
    },
    ['channel'],
    'the rendered parts: subject, html, text (email); text (sms); title, text, url, image (push)',
  ),
);

/** The template to render, on one channel: the saved one with the request's parts over it, or the request's own. */
function templateOf(catalog: Catalog, input: PreviewInput): { channel: Channel; content: TemplateContent } {
  const inline = stripUndefined(Object.fromEntries(PARTS.map((k) => [k, input[k]]))) as TemplateContent;
  if (input.id !== undefined) {
    const saved = getTemplate(catalog, input.id);
    const present = templateChannels(saved);
    const channel = input.channel ?? (present.length === 1 ? present[0] : undefined);
    if (channel === undefined)
      throw invalid(`template ${input.id} has the channels ${present.join(', ')}: name the one to preview (channel)`);
    const content = saved.channels[channel];
    if (content === undefined)
      throw invalid(`template ${input.id} is of channel ${present.join(', ')}, not ${channel}`);
    return { channel, content: { ...content, ...inline } };
  }
  if (input.channel === undefined) throw invalid('give a template id, or the template inline with its channel');
  return { channel: input.channel, content: inline };
}

/** The profile's subscription a send of this channel would go to (of the resource, when given). */
function subscriptionOf(
  profile: StoredProfile,
  channel: Channel,
  resourceId: number | undefined,
): StoredSubscription | undefined {
  return profile.subscriptions.find(
    (s) => s.channel === channel && (resourceId === undefined || s.resourceId === resourceId),
  );
}

/** The scope the template is rendered in, and the stored profile's subscription of the channel (if any). */
async function scopeOf(
  source: ProfileSource,
  catalog: Catalog,
  input: PreviewInput,
  channel: Channel,
): Promise<{ scope: RenderScope; subscription?: StoredSubscription }> {
  if (input.resource_id !== undefined) getResource(catalog, input.resource_id);
  const apicontent = input.content ?? {};
  if (input.profile_id !== undefined) {
    if (input.data !== undefined) throw invalid('give either profile_id (with db_id) or data, not both');
    if (input.db_id === undefined) throw invalid('profile_id needs db_id: the database of the profile');
    const byId = {
      email: undefined,
      phone: undefined,
      field_name: undefined,
      field_value: undefined,
      resource_id: undefined,
      provider: undefined,
      subscription_id: undefined,
    };
    const profile = await readProfile(source, catalog, {
      ...byId,
      db_id: input.db_id,
      matching: 'profile_id',
      profile_id: input.profile_id,
    });
    const sub = subscriptionOf(profile, channel, input.resource_id);
    const subscription = sub
      ? subscriptionScope(sub)
      : subscriptionScope({ channel, resourceId: input.resource_id ?? 0, data: {} });
    return {
      scope: { lead: leadScope(profile), subscription, apicontent, unsubscribe: PREVIEW_UNSUBSCRIBE },
      ...(sub ? { subscription: sub } : {}),
    };
  }
  const fields = input.data ?? {};
  const pick = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : undefined);
  const data = stripUndefined({ email: pick('email'), phone: pick('phone') });
  const subscription = subscriptionScope({ channel, resourceId: input.resource_id ?? 0, data });
  return {
    scope: {
      lead: leadScope({ id: pick('id') ?? '', fields }),
      subscription,
      apicontent,
      unsubscribe: PREVIEW_UNSUBSCRIBE,
    },
  };
}

/** The rendered parts of each channel, as templates/preview answers them. */
export type RenderedPreview =
  | { channel: 'email'; subject: string; html: string; text: string }
  | { channel: 'sms'; text: string }
  | { channel: 'push'; title: string; text: string; url: string; image: string };

export interface RenderedTemplate {
  preview: RenderedPreview;
  scope: RenderScope;
  /** The stored profile's subscription of the channel, when a profile was named and has one. */
  subscription?: StoredSubscription;
}

/** Renders the request's template (saved, changed or inline) as a send would. */
export async function renderTemplate(
  source: ProfileSource,
  catalog: Catalog,
  input: PreviewInput,
): Promise<RenderedTemplate> {
  const { channel, content } = templateOf(catalog, input);
  validated(() => checkTemplate({ [channel]: content }));
  const { scope, subscription } = await scopeOf(source, catalog, input, channel);
  const part = (key: Part, mode: 'html' | 'text' | 'header') => render(content[key], scope, mode);
  const preview: RenderedPreview =
    channel === 'email'
      ? { channel, subject: part('subject', 'header'), html: part('html', 'html'), text: part('text', 'text') }
      : channel === 'sms'
        ? { channel, text: part('text', 'text') }
        : {
            channel,
            title: part('title', 'text'),
            text: part('text', 'text'),
            url: part('url', 'text'),
            image: part('image', 'text'),
          };
  return { preview, scope, ...(subscription ? { subscription } : {}) };
}

export async function previewTemplate(call: ReadCall<ProfileReader>, input: PreviewInput) {
  // The dispatcher answers a request with these as templates/test_send; reaching here with one is a bug.
  if (input.test_email !== undefined || input.test_phone !== undefined)
    throw invalid('test_email, test_phone: a test send is answered by templates/test_send');
  return { data: (await renderTemplate(call.read, call.catalog, input)).preview };
}

export const templatePreviewMethods = [
  defineMethod({
    name: 'templates/preview',
    summary:
      'Render a template (saved, changed or inline) for a profile or sample fields, as a send would; nothing is written',
    write: false,
    params: previewParams,
    payload: one(previewJson),
    writeForm: { params: TEST_SEND_PARAMS, method: 'templates/test_send' },
    handle: previewTemplate,
  }),
];
