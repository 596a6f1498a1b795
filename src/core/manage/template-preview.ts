// templates/preview (spec 05): a template — saved (`id`), saved with changed fields, or given
// whole inline — rendered for a stored profile (`db_id` + `profile_id`) or for sample profile
// fields (`data`), with the request's `content`, as a send would render it. Nothing is written.
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
import { anyObject, int, object, oneOf, optional, str, type Decoded } from '../values/schema.js';
import { validated } from './change.js';

/** What `{unsubscribe}` renders to in a preview: a preview is no message, so its link leads nowhere. */
export const PREVIEW_UNSUBSCRIBE = '#unsubscribe-preview';

const PARTS = ['subject', 'html', 'text', 'title', 'url', 'image'] as const;
type Part = (typeof PARTS)[number];

const previewParams = object({
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
});
type PreviewInput = Decoded<typeof previewParams>;

const previewJson = titled(
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

async function scopeOf(call: ReadCall<ProfileReader>, input: PreviewInput, channel: Channel): Promise<RenderScope> {
  if (input.resource_id !== undefined) getResource(call.catalog, input.resource_id);
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
    const profile = await readProfile(call.read, call.catalog, {
      ...byId,
      db_id: input.db_id,
      matching: 'profile_id',
      profile_id: input.profile_id,
    });
    const sub = subscriptionOf(profile, channel, input.resource_id);
    const subscription = sub
      ? subscriptionScope(sub)
      : subscriptionScope({ channel, resourceId: input.resource_id ?? 0, data: {} });
    return { lead: leadScope(profile), subscription, apicontent, unsubscribe: PREVIEW_UNSUBSCRIBE };
  }
  const fields = input.data ?? {};
  const pick = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : undefined);
  const data = stripUndefined({ email: pick('email'), phone: pick('phone') });
  const subscription = subscriptionScope({ channel, resourceId: input.resource_id ?? 0, data });
  return {
    lead: leadScope({ id: pick('id') ?? '', fields }),
    subscription,
    apicontent,
    unsubscribe: PREVIEW_UNSUBSCRIBE,
  };
}

export async function previewTemplate(call: ReadCall<ProfileReader>, input: PreviewInput) {
  const { channel, content } = templateOf(call.catalog, input);
  validated(() => checkTemplate({ [channel]: content }));
  const scope = await scopeOf(call, input, channel);
  const part = (key: Part, mode: 'html' | 'text' | 'header') => render(content[key], scope, mode);
  if (channel === 'email')
    return {
      data: {
        channel: 'email',
        subject: part('subject', 'header'),
        html: part('html', 'html'),
        text: part('text', 'text'),
      },
    };
  if (channel === 'sms') return { data: { channel: 'sms', text: part('text', 'text') } };
  return {
    data: {
      channel: 'push',
      title: part('title', 'text'),
      text: part('text', 'text'),
      url: part('url', 'text'),
      image: part('image', 'text'),
    },
  };
}

export const templatePreviewMethods = [
  defineMethod({
    name: 'templates/preview',
    summary:
      'Render a template (saved, changed or inline) for a profile or sample fields, as a send would; nothing is written',
    write: false,
    params: previewParams,
    payload: one(previewJson),
    handle: previewTemplate,
  }),
];
