// Readiness and the queue and hook numbers behind the metrics (core/monitoring/store-port.ts), as
// every Store must report them. Called from store-contract.ts, so each adapter's suite runs these.
import { expect, it } from 'vitest';
import type { Store } from '../../core/ports.js';
import type { ProvisionPlan } from '../../core/provisioning/plan.js';
import type { ImportWrite } from '../../core/imports/store-port.js';
import type { MessageWrite } from '../../core/triggers/store-port.js';

const NOW = Date.UTC(2026, 10, 27, 10, 0, 0);

function importWrite(extra: Partial<ImportWrite>): ImportWrite {
  return { accountId: 1, dbId: 1, now: NOW, profiles: [], messages: [], events: [], ...extra };
}

const message = (launchId: number, profileId: string, dueAt: number): MessageWrite => ({
  launchId,
  triggerId: 96,
  profileId,
  channel: 'email',
  resourceId: 21,
  address: `${profileId}@example.com`,
  status: 'scheduled',
  skipReason: null,
  dueAt,
  variant: 0,
  customData: null,
});

export function defineMonitorContract(store: () => Store, plan: ProvisionPlan): void {
  const setUp = () => store().transaction((tx) => tx.applyProvisioning(plan, NOW));
  const launch = { triggerId: 96, kind: 'api' as const, content: null, customData: null, attachments: [] };

  it('monitor: a migrated store is healthy, with no pending migration', async () => {
    expect(await store().health()).toEqual({ pendingMigrations: 0 });
  });

  it('monitor: queue stats count the due messages, the oldest due time and the claimed ones', async () => {
    await setUp();
    const s = store();
    expect(await s.queueStats(NOW)).toEqual({ due: 0, oldestDueAt: undefined, sending: 0 });
    await s.transaction(async (tx) => {
      const id = await tx.insertLaunch(1, launch, NOW);
      await tx.saveImport(
        importWrite({
          messages: [message(id, 'p1', NOW - 5_000), message(id, 'p2', NOW - 1_000), message(id, 'p3', NOW + 60_000)],
        }),
      );
    });
    expect(await s.queueStats(NOW)).toEqual({ due: 2, oldestDueAt: NOW - 5_000, sending: 0 });
    await s.claimMessages(NOW, 1, 60_000);
    expect(await s.queueStats(NOW)).toEqual({ due: 1, oldestDueAt: NOW - 1_000, sending: 1 });
    expect(await s.queueStats(NOW + 60_000)).toEqual({ due: 2, oldestDueAt: NOW - 1_000, sending: 1 });
  });

  it("monitor: the hook backlog counts the events after each hook's cursor, and the dead letters", async () => {
    await setUp();
    const s = store();
    const [hook] = (await s.loadCatalog(1)).hooks;
    expect(await s.hookBacklog()).toEqual([{ hookId: hook.id, accountId: 1, pending: 0, deadLettered: 0 }]);
    const event = { type: 'send', dbId: 1, resourceId: 21, triggerId: 96, profileId: 'p1', payload: {} };
    await s.transaction((tx) => tx.saveImport(importWrite({ events: [event, event, event] })));
    expect(await s.hookBacklog()).toEqual([{ hookId: hook.id, accountId: 1, pending: 3, deadLettered: 0 }]);
    const events = await s.listEvents(1, 0, 10);
    const lease = await s.leaseHook(hook.id, NOW, 60_000);
    expect(lease).toBeDefined();
    await s.finishHook(
      hook.id,
      lease?.token ?? '',
      { kind: 'dead', cursor: events[1].id, eventIds: [events[0].id, events[1].id], error: 'HTTP 500' },
      NOW,
    );
    expect(await s.hookBacklog()).toEqual([{ hookId: hook.id, accountId: 1, pending: 1, deadLettered: 2 }]);
  });
}
