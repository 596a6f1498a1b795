// campaigns/activate, campaigns/deactivate, campaigns/status and campaigns/get_status (spec 05). Activating checks the
// rules an active trigger must meet; deactivating stops new launches and, with
// `abort_if_running`, cancels the messages already scheduled (spec 04).
import { CONFIG_CHANGE, defineMethod } from '../api/define.js';
import type { Call, ReadCall, WriteCall } from '../api/method.js';
import type { ReportStore } from '../delivery/report-port.js';
import type { CatalogTx } from '../catalog/store-port.js';
import { commitChange, throwFirst } from './change.js';
import { triggerProblems } from '../catalog/validate.js';
import { getTrigger } from '../catalog/lookup.js';
import { intJson, obj, one, titled } from '../values/json-schema.js';
import { bool, object, optional, type Decoded } from '../values/schema.js';
import { triggerId } from './triggers.js';
import { zeroCounters } from '../delivery/counters.js';

const deactivateParams = object({ ...triggerId.shape, abort_if_running: optional(bool(), false) });

/** Skip reason of the messages cancelled by `deactivate` with `abort_if_running`. */
export const DEACTIVATED_REASON = 'trigger deactivated';

export async function activateTrigger(call: WriteCall<CatalogTx>, input: Decoded<typeof triggerId>) {
  await commitChange(call, async (catalog, at) => {
    const current = getTrigger(catalog, input.id);
    if (current.isActive) return { status: 'done', id: current.id };
    const now = call.env.clock.now();
    const active = { ...current, isActive: true, updatedAt: now };
    // The request names only the trigger: a rule it breaks is told as the trigger's.
    throwFirst(
      triggerProblems(active, catalog).map((p) => ({
        ...p,
        text: `id: trigger ${current.id} cannot be activated: ${p.text}`,
      })),
    );
    return call.tx.saveTrigger(at, active, {}, now);
  });
  return { data: null };
}

export async function deactivateTrigger(call: WriteCall<CatalogTx>, input: Decoded<typeof deactivateParams>) {
  await commitChange(call, async (catalog, at) => {
    const current = getTrigger(catalog, input.id);
    // Already inactive: nothing to write, unless messages scheduled while it was active are to go.
    if (!current.isActive && !input.abort_if_running) return { status: 'done', id: current.id };
    const now = call.env.clock.now();
    const inactive = { ...current, isActive: false, updatedAt: current.isActive ? now : current.updatedAt };
    return call.tx.saveTrigger(
      at,
      inactive,
      input.abort_if_running ? { cancelScheduled: DEACTIVATED_REASON } : {},
      now,
    );
  });
  return { data: null };
}

export async function triggerStatus(
  call: ReadCall<Pick<ReportStore, 'triggerCounts' | 'counterTotals'>>,
  input: Decoded<typeof triggerId>,
) {
  const trigger = getTrigger(call.catalog, input.id);
  const counts = await call.read.triggerCounts(call.catalog.accountId, trigger.id);
  const c = { ...zeroCounters(), ...(await call.read.counterTotals(call.catalog.accountId, trigger.id)) };
  return {
    data: {
      is_active: trigger.isActive,
      // A message being handed to its sender is not finished yet: it still counts as scheduled.
      scheduled: (counts.scheduled ?? 0) + (counts.sending ?? 0),
      // A message the provider reported on (delivered or not) was sent.
      sent: (counts.sent ?? 0) + (counts.delivered ?? 0) + (counts.undelivered ?? 0),
      failed: counts.failed ?? 0,
      skipped: counts.skipped ?? 0,
      // The report counters (spec 07), kept as events happen.
      delivered: c.delivered,
      bounced_hard: c.bounced_hard,
      bounced_soft: c.bounced_soft,
      complained: c.complained,
      opened: c.opened,
      opened_unique: c.opened_unique,
      clicked: c.clicked,
      clicked_unique: c.clicked_unique,
      unsubscribed: c.unsubscribed,
      suppressed: c.suppressed,
    },
  };
}
/**
 * campaigns/get_status as Altcraft's page answers it: a trigger campaign never completes (it runs
 * for as long as it is active), so `is_completed` is always false and `status` is Active or Inactive.
 */
export async function campaignStatus(call: Call, input: Decoded<typeof triggerId>) {
  const trigger = getTrigger(call.catalog, input.id);
  return {
    data: { is_active: trigger.isActive, is_completed: false, status: trigger.isActive ? 'Active' : 'Inactive' },
  };
}

const campaignStatusJson = titled(
  'CampaignStatus',
  obj({
    is_active: { type: 'boolean' },
    is_completed: { type: 'boolean', description: 'always false: a trigger campaign never completes' },
    status: { type: 'string', enum: ['Active', 'Inactive'] },
  }),
);

const nullData = obj({ data: { type: 'null' } });
const STATUS_COUNTERS = [
  'delivered',
  'bounced_hard',
  'bounced_soft',
  'complained',
  'opened',
  'opened_unique',
  'clicked',
  'clicked_unique',
  'unsubscribed',
  'suppressed',
] as const;

export const activationMethods = [
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'campaigns/activate',
    summary: 'Activate a trigger campaign (it must meet the rules of an active trigger)',
    params: triggerId,
    payload: nullData,
    handle: activateTrigger,
  }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'campaigns/deactivate',
    summary: 'Deactivate a trigger campaign; abort_if_running cancels its scheduled messages',
    params: deactivateParams,
    payload: nullData,
    handle: deactivateTrigger,
  }),
  defineMethod({
    name: 'campaigns/status',
    summary: 'Whether a trigger campaign is active, its messages by state, and its report counters in total',
    write: false,
    params: triggerId,
    payload: one(
      titled(
        'TriggerCounters',
        obj({
          is_active: { type: 'boolean' },
          scheduled: intJson,
          sent: intJson,
          failed: intJson,
          skipped: intJson,
          ...Object.fromEntries(STATUS_COUNTERS.map((k) => [k, intJson])),
        }),
      ),
    ),
    handle: triggerStatus,
  }),
  defineMethod({
    name: 'campaigns/get_status',
    summary: "Whether a campaign is active (Altcraft's campaign status)",
    write: false,
    params: triggerId,
    payload: one(campaignStatusJson),
    handle: campaignStatus,
  }),
];
