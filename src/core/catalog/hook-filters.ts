// Which action hooks want an event (spec 04 filters): absent filters mean all.
import type { HookDef, HookEvent } from './types.js';

export interface EventScope {
  dbId?: number | null;
  resourceId?: number | null;
  triggerId?: number | null;
}

export function hookWants(hook: HookDef, event: HookEvent, scope: EventScope): boolean {
  const f = hook.filters;
  if (f.events && !f.events.includes(event)) return false;
  if (f.db_ids && (scope.dbId == null || !f.db_ids.includes(scope.dbId))) return false;
  if (f.resource_ids && (scope.resourceId == null || !f.resource_ids.includes(scope.resourceId))) return false;
  if (f.trigger_ids && (scope.triggerId == null || !f.trigger_ids.includes(scope.triggerId))) return false;
  return true;
}

export function anyHookWants(hooks: HookDef[], event: HookEvent, scope: EventScope): boolean {
  for (const h of hooks) if (hookWants(h, event, scope)) return true;
  return false;
}
