// campaigns/activate, campaigns/deactivate and campaigns/status (spec 05). Activating checks the
// rules an active trigger must meet; deactivating stops new launches and, with
// `abort_if_running`, cancels the messages already scheduled (spec 04).
import { commitChange, throwFirst } from '../catalog/change.js';
import { triggerProblems } from '../catalog/validate.js';
import { getTrigger, type AccountContext, type CoreDeps } from '../context.js';

/** Skip reason of the messages cancelled by `deactivate` with `abort_if_running`. */
export const DEACTIVATED_REASON = 'trigger deactivated';

export async function activateTrigger(deps: CoreDeps, ctx: AccountContext, input: { id: number }) {
  await commitChange(deps, ctx, async (catalog, at) => {
    const current = getTrigger(catalog, input.id);
    if (current.isActive) return { status: 'done', id: current.id };
    const now = deps.clock.now();
    const active = { ...current, isActive: true, updatedAt: now };
    throwFirst(triggerProblems(active, catalog));
    return deps.store.saveTrigger(at, active, {}, now);
  });
  return { data: null };
}

export async function deactivateTrigger(deps: CoreDeps, ctx: AccountContext, input: { id: number; abort_if_running: boolean }) {
  await commitChange(deps, ctx, async (catalog, at) => {
    const current = getTrigger(catalog, input.id);
    // Already inactive: nothing to write, unless messages scheduled while it was active are to go.
    if (!current.isActive && !input.abort_if_running) return { status: 'done', id: current.id };
    const now = deps.clock.now();
    const inactive = { ...current, isActive: false, updatedAt: current.isActive ? now : current.updatedAt };
    return deps.store.saveTrigger(at, inactive, input.abort_if_running ? { cancelScheduled: DEACTIVATED_REASON } : {}, now);
  });
  return { data: null };
}

export async function triggerStatus(deps: CoreDeps, ctx: AccountContext, input: { id: number }) {
  const trigger = getTrigger(ctx.catalog, input.id);
  const counts = await deps.store.triggerCounts(ctx.catalog.accountId, trigger.id);
  return {
    data: {
      is_active: trigger.isActive,
      // A message being handed to its sender is not finished yet: it still counts as scheduled.
      scheduled: (counts.scheduled ?? 0) + (counts.sending ?? 0),
      // A message the provider reported on (delivered or not) was sent.
      sent: (counts.sent ?? 0) + (counts.delivered ?? 0) + (counts.undelivered ?? 0),
      failed: counts.failed ?? 0,
      skipped: counts.skipped ?? 0,
    },
  };
}
