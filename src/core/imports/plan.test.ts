import { describe, expect, it } from 'vitest';
import type { Catalog, HookDef, TriggerDef } from '../catalog/types.js';
import type { MatchParams } from '../matching/modes.js';
import type { LaunchSpec } from '../triggers/launch-spec.js';
import { PLAIN_WIRE } from '../values/wire.js';
import { importPlan, type ImportPlanInput } from './plan.js';

const trig = (id: number, over: Partial<TriggerDef>): TriggerDef => ({
  id,
  accountId: 1,
  name: `t${id}`,
  description: '',
  subid: '',
  uiTags: [],
  isActive: true,
  triggerType: 'api_import',
  sendChannel: 'email',
  resourceId: 21,
  listId: 1,
  skipMinutes: 0,
  content: [],
  pushSendingMode: 'fanout',
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

function catalog(triggers: TriggerDef[], hooks: HookDef[] = []): Catalog {
  return {
    accountId: 1,
    version: 1,
    databases: new Map([[1, { id: 1, accountId: 1, name: 'd', description: '', fields: [] }]]),
    resources: new Map(),
    templates: new Map(),
    triggers: new Map(triggers.map((t) => [t.id, t])),
    senders: new Map(),
    hooks,
  };
}

const input = (c: Catalog, over: Partial<ImportPlanInput> = {}): ImportPlanInput => ({
  catalog: c,
  db: c.databases.get(1) ?? { id: 1, accountId: 1, name: 'd', description: '', fields: [] },
  shape: 'item',
  match: { mode: 'email' } as MatchParams,
  flags: { skip_triggers: false, skip_invalid_subscriptions: false, detect_geo: false },
  wire: PLAIN_WIRE,
  createAllowed: true,
  ...over,
});

describe('importPlan', () => {
  const triggers = [
    trig(1, {}),
    trig(2, { triggerType: 'subscribe' }),
    trig(3, { triggerType: 'api_call' }),
    trig(4, { isActive: false }),
    trig(5, { listId: 2 }),
  ];

  it("takes the database's active event triggers, never an api_call one", () => {
    expect(importPlan(input(catalog(triggers))).eventTriggers.map((t) => t.id)).toEqual([1, 2]);
  });

  it('takes none with skip_triggers', () => {
    expect(
      importPlan(
        input(catalog(triggers), {
          flags: { skip_triggers: true, skip_invalid_subscriptions: false, detect_geo: false },
        }),
      ).eventTriggers,
    ).toEqual([]);
  });

  it("uses the launch's custom_data when it launches, the request's otherwise", () => {
    const c = catalog(triggers);
    const launch = {
      trigger: trig(3, { triggerType: 'api_call' }),
      content: null,
      customData: { a: 1 },
      attachments: [],
      delayMs: 0,
    } satisfies LaunchSpec;
    expect(importPlan(input(c, { launch, customData: { b: 2 } })).customData).toEqual({ a: 1 });
    expect(importPlan(input(c, { customData: { b: 2 } })).customData).toEqual({ b: 2 });
    expect(importPlan(input(c)).customData).toBeNull();
  });

  it('knows whether a hook wants the import events of the database', () => {
    const hook = (filters: HookDef['filters']): HookDef => ({ id: 1, accountId: 1, url: 'http://h.test', filters });
    expect(importPlan(input(catalog([]))).wantsImportEvents).toBe(false);
    expect(importPlan(input(catalog([], [hook({ events: ['import_api'] })]))).wantsImportEvents).toBe(true);
    expect(importPlan(input(catalog([], [hook({ events: ['import_api'], db_ids: [1] })]))).wantsImportEvents).toBe(
      true,
    );
    expect(importPlan(input(catalog([], [hook({ events: ['import_api'], db_ids: [2] })]))).wantsImportEvents).toBe(
      false,
    );
    expect(importPlan(input(catalog([], [hook({ events: ['send'] })]))).wantsImportEvents).toBe(false);
  });
});
