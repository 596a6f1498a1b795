// Turns a due message into what a sender sends (spec 04): the trigger's content entry (A/B
// variant), its template rendered for the profile and subscription, From/Reply-To from the
// entry or the resource, attachments, a stable Message-ID and the unsubscribe headers.
import type { Catalog, Channel, ContentEntry, TemplateContent, TriggerDef } from '../catalog/types.js';
import { emailDomain } from '../values/formats.js';
import { render, type RenderScope } from '../templates/render.js';
import type { SubscriptionVariable } from '../templates/parse.js';
import type { OutgoingMessage } from './outgoing.js';
import type { ClaimedMessage, LaunchData } from './store-port.js';
import { unsubscribeToken } from './unsubscribe-token.js';
import { rewriteHtml, type RewriteOptions } from './link-rewrite.js';
import { planOf, renderPlan } from './tracked-html.js';
import { clickTokens, openToken, type LinkRefOf } from './tracking-token.js';
import type { TrackedLink } from './tracked-links.js';
import { verpAddress } from './verp.js';
import type { StoredProfile, StoredSubscription } from '../profiles/store-port.js';
import { ComposeError } from '../base/errors.js';

export interface ComposeInput {
  message: ClaimedMessage;
  profile: StoredProfile;
  subscription: StoredSubscription;
  trigger: TriggerDef;
  catalog: Catalog;
  launch: LaunchData | undefined;
  publicUrl: string;
  secret: string;
  /** HERALD_BOUNCE_DOMAIN: the envelope sender is the message's VERP address there. */
  bounceDomain?: string | undefined;
  /** The ids of the trigger's stored links (./tracked-links.ts): their click tokens name them. */
  linkRef?: LinkRefOf | undefined;
}

/** A profile's values as templates see them (`lead`). */
export function leadScope(p: Pick<StoredProfile, 'id' | 'fields'>): Record<string, unknown> {
  const phones = p.fields.phones;
  return { ...p.fields, _id: p.id, id: p.id, phones: Array.isArray(phones) ? phones[0] : phones };
}

/** A subscription's values as templates see them (`subscription`). */
export function subscriptionScope(
  s: Pick<StoredSubscription, 'data' | 'channel' | 'resourceId'>,
): Record<SubscriptionVariable, unknown> {
  const email = s.data.email;
  return {
    email: email ?? '',
    email_domain: email ? emailDomain(email) : '',
    phone: s.data.phone ?? '',
    provider: s.data.provider ?? '',
    subscription_id: s.data.subscriptionId ?? '',
    channel: s.channel,
    resource_id: s.resourceId,
  };
}

export function unsubscribeUrl(input: ComposeInput): string {
  const token = unsubscribeToken(input.secret, {
    accountId: input.message.accountId,
    dbId: input.profile.dbId,
    profileId: input.profile.id,
    resourceId: input.subscription.resourceId,
    channel: input.subscription.channel,
    address: input.subscription.address,
    messageId: input.message.id,
  });
  return `${input.publicUrl.replace(/\/+$/, '')}/u/${token}`;
}

function entryOf(trigger: TriggerDef, variant: number): ContentEntry {
  const entry = trigger.content[variant] ?? trigger.content[0];
  if (!entry) throw new ComposeError(`trigger ${trigger.id} has no content`);
  return entry;
}

/** The content of the entry's template for the channel the message goes on. */
function templateOf(catalog: Catalog, entry: ContentEntry, trigger: TriggerDef, channel: Channel): TemplateContent {
  const t = catalog.templates.get(entry.message_id);
  if (!t) throw new ComposeError(`template ${entry.message_id} of trigger ${trigger.id} does not exist`);
  const content = t.channels[channel];
  if (!content)
    throw new ComposeError(`template ${entry.message_id} of trigger ${trigger.id} has no ${channel} content`);
  return content;
}

/** The HTML part with its links rewritten and the open pixel added, as the trigger asks (spec 07). */
function trackedHtml(input: ComposeInput, source: string, scope: RenderScope, unsubscribe: string): string {
  const { trigger, message, secret } = input;
  const clicks = trigger.trackClicks !== false;
  const opens = trigger.trackOpens !== false;
  if (!clicks && !opens) return render(source, scope, 'html');
  const base = input.publicUrl.replace(/\/+$/, '');
  const target = { accountId: message.accountId, triggerId: message.triggerId, messageId: message.id };
  const click = clicks ? clickTokens(secret, target, input.linkRef) : undefined;
  const opts: RewriteOptions = {
    keep: unsubscribe,
    ...(click ? { clickUrl: (url: string, link: number) => `${base}/t/c/${click(link, url)}` } : {}),
    ...(opens ? { pixelUrl: `${base}/t/o/${openToken(secret, target)}` } : {}),
  };
  // Planned once per template where its links are in its text (./tracked-html.ts), else rewritten.
  const plan = planOf(source);
  return plan ? renderPlan(plan, scope, opts) : rewriteHtml(render(source, scope, 'html'), opts);
}

/**
 * The tracked links of the email an A/B variant of a trigger sends, where its HTML is planned
 * (./tracked-html.ts): the links a click token may name by a stored id. None when clicks are not
 * tracked, or the template is missing (composing then says why).
 */
export function plannedLinks(catalog: Catalog, trigger: TriggerDef, variant: number): TrackedLink[] {
  if (trigger.trackClicks === false) return [];
  const entry = trigger.content[variant] ?? trigger.content[0];
  const html = entry && catalog.templates.get(entry.message_id)?.channels.email?.html;
  const plan = html ? planOf(html) : null;
  if (!plan) return [];
  const links: TrackedLink[] = [];
  for (const s of plan) if (s.kind === 'link') links.push({ position: s.link, url: s.url });
  return links;
}

export function compose(input: ComposeInput): OutgoingMessage {
  const { message, subscription, trigger, catalog } = input;
  const entry = entryOf(trigger, message.variant);
  const template = templateOf(catalog, entry, trigger, subscription.channel);
  const scope = renderScope(input);
  if (subscription.channel === 'email') return composeEmail(input, entry, template, scope);
  if (subscription.channel === 'sms') return composeSms(input, template, scope);
  return composePush(input, template, scope);
}

/** What a template sees: the profile, the subscription, the launch's content and the unsubscribe link. */
function renderScope(input: ComposeInput): RenderScope {
  // The link is sealed (a key derived per link): made once, and only when the message uses it.
  let link: string | undefined;
  return {
    lead: leadScope(input.profile),
    subscription: subscriptionScope(input.subscription),
    apicontent: input.launch?.content ?? {},
    get unsubscribe() {
      return (link ??= unsubscribeUrl(input));
    },
  };
}

/** The domain of a Message-ID: the From address's. */
export const fromDomain = (address: string) => address.slice(address.lastIndexOf('@') + 1) || 'herald.local';

/** An email: the addresses of the entry or else of the resource's email channel, tracked HTML, unsubscribe headers. */
function composeEmail(
  input: ComposeInput,
  entry: ContentEntry,
  template: TemplateContent,
  scope: RenderScope,
): OutgoingMessage {
  const { message, subscription, trigger, catalog } = input;
  const channel = catalog.resources.get(subscription.resourceId)?.channels.email;
  const fromEmail = entry.from_email ?? channel?.from_email;
  if (!fromEmail) throw new ComposeError(`no from address for trigger ${trigger.id}`);
  const fromName = entry.from_name ?? channel?.from_name;
  const replyEmail = entry.replyto_email ?? channel?.replyto_email;
  const replyName = entry.replyto_name ?? channel?.replyto_name;
  const unsubscribe = scope.unsubscribe;
  const html = template.html ? trackedHtml(input, template.html, scope, unsubscribe) : undefined;
  const text = template.text ? render(template.text, scope, 'text') : undefined;
  return {
    channel: 'email',
    ref: message.id,
    messageId: `<herald.${message.id}.${message.accountId}@${fromDomain(fromEmail)}>`,
    from: { address: fromEmail, ...(fromName ? { name: render(fromName, scope, 'header') } : {}) },
    ...(replyEmail
      ? { replyTo: { address: replyEmail, ...(replyName ? { name: render(replyName, scope, 'header') } : {}) } }
      : {}),
    to: subscription.data.email ?? subscription.address,
    subject: render(entry.subject ?? template.subject, scope, 'header'),
    ...(html !== undefined ? { html } : {}),
    ...(text !== undefined ? { text } : {}),
    attachments: input.launch?.attachments ?? [],
    headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    ...(input.bounceDomain ? { envelopeFrom: verpAddress(input.secret, message.id, input.bounceDomain) } : {}),
  };
}

function composeSms(input: ComposeInput, template: TemplateContent, scope: RenderScope): OutgoingMessage {
  const { message, subscription } = input;
  return {
    channel: 'sms',
    ref: message.id,
    messageId: `herald.${message.id}.${message.accountId}`,
    to: subscription.data.phone ?? subscription.address,
    text: render(template.text, scope, 'text'),
    vars: { lead: scope.lead, subscription: scope.subscription },
  };
}

function composePush(input: ComposeInput, template: TemplateContent, scope: RenderScope): OutgoingMessage {
  const { message, subscription } = input;
  return {
    channel: 'push',
    ref: message.id,
    messageId: `herald.${message.id}.${message.accountId}`,
    to: { provider: subscription.data.provider ?? '', subscription_id: subscription.data.subscriptionId ?? '' },
    title: render(template.title, scope, 'text'),
    text: render(template.text, scope, 'text'),
    url: render(template.url, scope, 'text'),
    image: render(template.image, scope, 'text'),
    vars: { lead: scope.lead, subscription: scope.subscription },
  };
}
