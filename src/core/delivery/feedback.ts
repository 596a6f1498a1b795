// Delivery feedback (spec 07): what a bounce, a complaint or a delivery report does. An inbound
// report finds its message by the VERP token of the address it came to, else by the Message-ID
// of the original quoted in it; a synchronous SMTP rejection with a mailbox status comes from the
// worker. Both become feedback items the store applies once each, with the hook events of
// Altcraft's event types (`hbounce`/`sbounce` and `undeliv`, `complain`, `deliv`).
import type { CatalogCache } from '../catalog/cache.js';
import type { Catalog, HookEvent } from '../catalog/types.js';
import type { Clock } from '../base/clock.js';
import type { AccountEvent, DeliveryStore, FeedbackItem, FeedbackKind, FeedbackMessage } from './store-port.js';
import { dsnVerdict, type InboundOutcome, type InboundReport } from './inbound-report.js';
import { verpMessageId } from './verp.js';
import { messageHookEvent } from './receipts.js';

export interface FeedbackDeps {
  store: Pick<DeliveryStore, 'findFeedbackMessages' | 'recordFeedback'>;
  clock: Clock;
  catalogs: Pick<CatalogCache, 'all'>;
  secret: string;
  bounceDomain: string;
  softBounceLimit: number;
}

/** Herald's Message-ID: `<herald.<message id>.<account id>@<from domain>>`. */
const HERALD_MESSAGE_ID = /^<?herald\.(\d{1,15})\.(\d{1,10})@[^>]*>?$/i;

function messageRef(
  deps: FeedbackDeps,
  report: Exclude<InboundReport, { kind: 'other' }>,
): { id: number; accountId?: number } | undefined {
  for (const to of report.rcptTo) {
    const id = verpMessageId(deps.secret, to, deps.bounceDomain);
    if (id !== undefined) return { id };
  }
  const quoted = report.originalMessageId ? HERALD_MESSAGE_ID.exec(report.originalMessageId.trim()) : null;
  return quoted ? { id: Number(quoted[1]), accountId: Number(quoted[2]) } : undefined;
}

/** The kind of feedback, the reason, and whether the message is undelivered (a bounce that failed). */
function verdictOf(
  report: Exclude<InboundReport, { kind: 'other' }>,
): { kind: FeedbackKind; reason: string; failed: boolean; data: Record<string, unknown> } | undefined {
  if (report.kind === 'arf') {
    if (report.feedbackType.toLowerCase() !== 'abuse') return undefined;
    return {
      kind: 'complaint',
      reason: `complaint (Feedback-Type: ${report.feedbackType})`,
      failed: false,
      data: { source: 'arf', ...(report.userAgent ? { reporter: report.userAgent } : {}) },
    };
  }
  for (const r of report.recipients) {
    const kind = dsnVerdict(r);
    if (!kind) continue;
    const reason = r.diagnostic || `${r.action} ${r.status}`;
    return {
      kind,
      reason,
      failed: r.action === 'failed',
      data: {
        source: 'dsn',
        action: r.action,
        status: r.status,
        ...(r.finalRecipient ? { recipient: r.finalRecipient } : {}),
      },
    };
  }
  return undefined;
}

const BOUNCE_EVENTS: Record<FeedbackKind, HookEvent> = {
  hard: 'hbounce',
  soft: 'sbounce',
  complaint: 'complain',
  delivered: 'deliv',
};

/** The hook events of a feedback item, those some hook of the account wants. */
export function feedbackEvents(
  catalog: Catalog,
  m: FeedbackMessage,
  types: HookEvent[],
  data: Record<string, unknown>,
): AccountEvent[] {
  return types.flatMap((type) => messageHookEvent(catalog, m, type, data) ?? []);
}

/** A feedback item of a message: its subscription (while the profile exists) and hook events. */
export function feedbackItem(
  m: FeedbackMessage,
  kind: FeedbackKind,
  reason: string,
  data: Record<string, unknown>,
  events: AccountEvent[],
  softLimit: number,
): FeedbackItem {
  const subscription =
    m.dbId !== null && m.resourceId !== null && m.address !== null
      ? { profileId: m.profileId, resourceId: m.resourceId, channel: m.channel, address: m.address }
      : undefined;
  return {
    kind,
    messageId: m.id,
    accountId: m.accountId,
    triggerId: m.triggerId,
    reason,
    data,
    events,
    softLimit,
    ...(subscription ? { subscription } : {}),
  };
}

/** Reads one inbound report: applies what it says to the message it names, once. */
export async function applyInboundReport(deps: FeedbackDeps, report: InboundReport): Promise<InboundOutcome> {
  if (report.kind === 'other') return 'dropped';
  const verdict = verdictOf(report);
  if (!verdict) return 'dropped';
  const ref = messageRef(deps, report);
  if (!ref) return 'unmatched';
  const [message] = await deps.store.findFeedbackMessages([ref.id]);
  if (!message || message.channel !== 'email' || (ref.accountId !== undefined && ref.accountId !== message.accountId))
    return 'unmatched';
  const catalog = (await deps.catalogs.all()).find((c) => c.accountId === message.accountId);
  const types: HookEvent[] = [BOUNCE_EVENTS[verdict.kind], ...(verdict.failed ? (['undeliv'] as const) : [])];
  const data = {
    ...verdict.data,
    reason: verdict.reason.slice(0, 500),
    ...(report.reportId ? { report_id: report.reportId } : {}),
  };
  const events = catalog ? feedbackEvents(catalog, message, types, data) : [];
  const item = feedbackItem(message, verdict.kind, verdict.reason, data, events, deps.softBounceLimit);
  const applied = await deps.store.recordFeedback([item], deps.clock.now());
  return applied.includes(message.id) ? verdict.kind : 'duplicate';
}
