// The configuration changes of the management methods (core/catalog/store-port.ts), as every
// Store must apply them: a config-version compare-and-swap, ids above every id ever used, refusals
// while data refers to an object, and the trigger's scheduled messages cancelled with it.
// Called from store-contract.ts, so each adapter's suite runs these too.
import { expect, it } from 'vitest';
import type { CatalogTx, CatalogVersion } from '../../core/catalog/store-port.js';
import type { TriggerDef } from '../../core/catalog/types.js';
import type { Store, StoreTx } from '../../core/ports.js';
import type { ProvisionPlan } from '../../core/provisioning/plan.js';
import type { ImportWrite } from '../../core/imports/store-port.js';

const NOW = Date.UTC(2026, 10, 27, 10, 0, 0);
const LATER = NOW + 60_000;

async function versionOf(store: Store, accountId: number): Promise<CatalogVersion> {
  return { accountId, version: (await store.loadCatalog(accountId)).version };
}

function newTrigger(name: string): Omit<TriggerDef, 'id'> {
  return {
    accountId: 1,
    name,
    description: 'd',
    subid: 's',
    uiTags: ['a', 'b'],
    isActive: true,
    triggerType: 'api_call',
    sendChannel: 'email',
    resourceId: 21,
    listId: 1,
    skipMinutes: 5,
    content: [{ message_id: 5, from_email: 'x@example.com' }],
    pushSendingMode: 'last',
    createdAt: NOW,
    updatedAt: NOW,
  };
}

/** A profile in database 1 with an email subscription on resource 21 and one scheduled message per trigger (of launches `launchIds`). */
function importWith(triggerIds: number[], launchIds: number[]): ImportWrite {
  const profileId = 'bbbbbbbbbbbbbbbbbbbbbbb1';
  return {
    accountId: 1,
    dbId: 1,
    now: NOW,
    profiles: [
      {
        id: profileId,
        fields: { email: 'p@example.com' },
        createdAt: NOW,
        updatedAt: NOW,
        addValues: [{ field: 'email', value: 'p@example.com', num: null }],
        removeValues: [],
        subscriptions: [
          {
            resourceId: 21,
            channel: 'email',
            address: 'p@example.com',
            status: 0,
            priority: 0,
            data: { email: 'p@example.com' },
            createdAt: NOW,
            updatedAt: NOW,
          },
        ],
      },
    ],
    messages: triggerIds.map((triggerId, n) => ({
      launchId: launchIds[n],
      triggerId,
      profileId,
      channel: 'email' as const,
      resourceId: 21,
      address: 'p@example.com',
      status: 'scheduled' as const,
      skipReason: null,
      dueAt: NOW + 3_600_000,
      variant: 0,
      customData: null,
    })),
    events: [],
  };
}

/** Writes importWith(triggerIds) in `tx`, each message with a launch of its trigger stored first. */
async function saveImportWith(tx: StoreTx, triggerIds: number[]): Promise<void> {
  const launchIds: number[] = [];
  for (const triggerId of triggerIds)
    launchIds.push(
      await tx.insertLaunch(1, { triggerId, kind: 'api', content: null, customData: null, attachments: [] }, NOW),
    );
  await tx.saveImport(importWith(triggerIds, launchIds));
}

/** The catalog writes of a transaction, each in a transaction of its own. */
function writes(store: Store): CatalogTx {
  return {
    saveDatabase: (...a) => store.transaction((tx) => tx.saveDatabase(...a)),
    deleteDatabase: (...a) => store.transaction((tx) => tx.deleteDatabase(...a)),
    saveResource: (...a) => store.transaction((tx) => tx.saveResource(...a)),
    deleteResource: (...a) => store.transaction((tx) => tx.deleteResource(...a)),
    saveTemplate: (...a) => store.transaction((tx) => tx.saveTemplate(...a)),
    deleteTemplate: (...a) => store.transaction((tx) => tx.deleteTemplate(...a)),
    saveTrigger: (...a) => store.transaction((tx) => tx.saveTrigger(...a)),
    deleteTrigger: (...a) => store.transaction((tx) => tx.deleteTrigger(...a)),
  };
}

async function messagesOf(store: Store, triggerId: number) {
  return (await store.listMessages({ accountId: 1, triggerId, limit: 100 })).rows.map((m) => ({
    status: m.status,
    skipReason: m.skipReason,
  }));
}

/**
 * Resolves once a configuration change issued while a transaction holds the configuration has had
 * every chance to run: it finished (which the caller then reports), or the store shows it waiting
 * for the hold. A single-writer store serves one caller at a time in this process: what a change
 * can do without the connection happens within one turn of the event loop.
 */
async function untilWaitingOrDone(
  store: Store,
  done: () => boolean,
  waitsForHold: (() => Promise<boolean>) | undefined,
): Promise<void> {
  if (store.capabilities.singleWriter || !waitsForHold) {
    await new Promise((r) => setImmediate(r));
    return;
  }
  for (let polls = 0; !done(); polls++) {
    if (await waitsForHold()) return;
    if (polls > 2000) throw new Error('the change neither ran nor waited for the configuration hold');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function defineCatalogContract(
  current: () => Store,
  plan: ProvisionPlan,
  waitsForHold?: () => Promise<boolean>,
): void {
  const provision = () => current().transaction((tx) => tx.applyProvisioning(plan, NOW));

  it('catalog: creates objects with ids above every id used, bumping the config version once per change', async () => {
    const store = current();
    await provision();
    let at = await versionOf(store, 1);
    const db = await writes(store).saveDatabase(
      at,
      { accountId: 1, name: 'New', description: 'n', fields: [{ name: 'lvl', type: 'enum', values: ['a'] }] },
      { requireNoProfiles: false },
      NOW,
    );
    expect(db).toEqual({ status: 'done', id: expect.any(Number) });
    const dbId = (db as { id: number }).id;
    expect(dbId).toBeGreaterThan(1);
    expect((await versionOf(store, 1)).version).toBe(at.version + 1);

    at = await versionOf(store, 1);
    const res = (await writes(store).saveResource(
      at,
      { accountId: 1, name: 'R', dbIds: [1, dbId], channels: { sms: { sender: 'out' } } },
      NOW,
    )) as { id: number };
    at = await versionOf(store, 1);
    const tpl = (await writes(store).saveTemplate(
      at,
      { accountId: 1, name: 'T', channels: { sms: { text: 'Hi {lead._fname}' } } },
      NOW,
    )) as { id: number };
    at = await versionOf(store, 1);
    const trig = (await writes(store).saveTrigger(at, newTrigger('New'), {}, NOW)) as { id: number };
    expect(res.id).toBeGreaterThan(21);
    expect(tpl.id).toBeGreaterThan(5);
    expect(trig.id).toBeGreaterThan(96);

    const catalog = await store.loadCatalog(1);
    expect(catalog.version).toBe(at.version + 1);
    expect(catalog.databases.get(dbId)).toEqual({
      id: dbId,
      accountId: 1,
      name: 'New',
      description: 'n',
      fields: [{ name: 'lvl', type: 'enum', values: ['a'] }],
    });
    expect(catalog.resources.get(res.id)).toEqual({
      id: res.id,
      accountId: 1,
      name: 'R',
      dbIds: [1, dbId],
      channels: { sms: { sender: 'out' } },
    });
    expect(catalog.templates.get(tpl.id)).toEqual({
      id: tpl.id,
      accountId: 1,
      name: 'T',
      channels: { sms: { text: 'Hi {lead._fname}' } },
    });
    expect(catalog.triggers.get(trig.id)).toEqual({ ...newTrigger('New'), id: trig.id });
    expect((await store.describeOwnership()).triggers.get(trig.id)).toBe(1);

    // A deleted id is never given again, even after a provisioning file is applied once more.
    expect(await writes(store).deleteTrigger(await versionOf(store, 1), trig.id, NOW)).toEqual({
      status: 'done',
      id: trig.id,
    });
    await provision();
    const again = (await writes(store).saveTrigger(await versionOf(store, 1), newTrigger('Again'), {}, NOW)) as {
      id: number;
    };
    expect(again.id).toBeGreaterThan(trig.id);
  });

  it.each([
    ['taken in the transaction', {}],
    ['taken as the transaction begins', { holdCatalog: 1 }],
  ])(
    'catalog: a change waits for a transaction holding the configuration (%s), which writes its messages first',
    async (_how, opts) => {
      const store = current();
      await provision();
      const at = await versionOf(store, 1);
      const trigger = (await store.loadCatalog(1)).triggers.get(96) as TriggerDef;
      let change: Promise<unknown> | undefined;
      let changedWhileHeld = false;
      await store.transaction(async (tx) => {
        expect(await tx.holdCatalog(1)).toBe(at.version);
        await saveImportWith(tx, [96]);
        // A deactivate that cancels the trigger's scheduled messages, sent while this one is open.
        change = writes(store)
          .saveTrigger(at, { ...trigger, isActive: false }, { cancelScheduled: 'trigger deactivated' }, LATER)
          .then(() => (changedWhileHeld = true));
        await untilWaitingOrDone(store, () => changedWhileHeld, waitsForHold);
        expect(changedWhileHeld).toBe(false);
      }, opts);
      await change;
      // It ran after the commit, so it saw and cancelled the message written under the hold.
      expect((await store.loadCatalog(1)).version).toBe(at.version + 1);
      expect(await messagesOf(store, 96)).toEqual([{ status: 'cancelled', skipReason: 'trigger deactivated' }]);
    },
  );

  it('catalog: updates and deletes objects in place', async () => {
    const store = current();
    await provision();
    const trigger = (await store.loadCatalog(1)).triggers.get(96) as TriggerDef;
    const saved = await writes(store).saveTrigger(
      await versionOf(store, 1),
      { ...trigger, name: 'Renamed', isActive: false, updatedAt: LATER },
      {},
      LATER,
    );
    expect(saved).toEqual({ status: 'done', id: 96 });
    expect((await store.loadCatalog(1)).triggers.get(96)).toEqual({
      ...trigger,
      name: 'Renamed',
      isActive: false,
      updatedAt: LATER,
    });

    const template = (await store.loadCatalog(1)).templates.get(5);
    await writes(store).saveTemplate(
      await versionOf(store, 1),
      {
        accountId: 1,
        id: 5,
        name: 'Hello',
        channels: { email: { subject: 'S', html: '<p>x</p>' }, sms: { text: 'Hi' } },
      },
      LATER,
    );
    expect((await store.loadCatalog(1)).templates.get(5)).toEqual({
      ...template,
      name: 'Hello',
      channels: { email: { subject: 'S', html: '<p>x</p>' }, sms: { text: 'Hi' } },
    });
    await writes(store).saveResource(
      await versionOf(store, 1),
      { accountId: 1, id: 21, name: 'Main 2', dbIds: [1], channels: {} },
      LATER,
    );
    expect((await store.loadCatalog(1)).resources.get(21)).toMatchObject({ name: 'Main 2', channels: {} });
    await writes(store).saveDatabase(
      await versionOf(store, 1),
      { accountId: 1, id: 1, name: 'C2', description: 'x', fields: [] },
      { requireNoProfiles: false },
      LATER,
    );
    expect((await store.loadCatalog(1)).databases.get(1)).toMatchObject({ name: 'C2', description: 'x', fields: [] });

    expect(await writes(store).deleteTrigger(await versionOf(store, 1), 96, LATER)).toEqual({ status: 'done', id: 96 });
    expect(await writes(store).deleteTemplate(await versionOf(store, 1), 5)).toEqual({ status: 'done', id: 5 });
    expect(await writes(store).deleteResource(await versionOf(store, 1), 21)).toEqual({ status: 'done', id: 21 });
    expect(await writes(store).deleteDatabase(await versionOf(store, 1), 1)).toEqual({ status: 'done', id: 1 });
    const empty = await store.loadCatalog(1);
    expect([empty.triggers.size, empty.templates.size, empty.resources.size, empty.databases.size]).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('catalog: a change checked against an old version, or aimed at another account, writes nothing', async () => {
    const store = current();
    await provision();
    const old = await versionOf(store, 1);
    await writes(store).saveTemplate(old, { accountId: 1, name: 'First', channels: { sms: { text: 'a' } } }, NOW);
    const before = await store.loadCatalog(1);
    expect(
      await writes(store).saveTemplate(old, { accountId: 1, name: 'Second', channels: { sms: { text: 'b' } } }, NOW),
    ).toEqual({ status: 'stale' });
    expect(await writes(store).deleteTemplate(old, 5)).toEqual({ status: 'stale' });
    expect(await writes(store).saveTrigger(old, newTrigger('Late'), {}, NOW)).toEqual({ status: 'stale' });
    const after = await store.loadCatalog(1);
    expect(after.version).toBe(before.version);
    expect([...after.templates.values()].map((t) => t.name).sort()).toEqual(['First', 'Welcome']);
    expect(after.triggers.size).toBe(1);

    // Account 2 at its current version cannot reach account 1's objects, and its version stays.
    const other = await versionOf(store, 2);
    expect(
      await writes(store).saveTemplate(
        other,
        { accountId: 2, id: 5, name: 'Stolen', channels: { sms: { text: 'x' } } },
        NOW,
      ),
    ).toEqual({ status: 'stale' });
    expect(await writes(store).deleteTrigger(other, 96, NOW)).toEqual({ status: 'stale' });
    expect(await writes(store).deleteDatabase(other, 1)).toEqual({ status: 'stale' });
    expect((await versionOf(store, 2)).version).toBe(other.version);
    const mine = await store.loadCatalog(1);
    expect(mine.templates.get(5)?.name).toBe('Welcome');
    expect(mine.triggers.has(96)).toBe(true);
    expect(mine.databases.has(1)).toBe(true);
  });

  it('catalog: refuses to drop a database with profiles or a resource with subscriptions', async () => {
    const store = current();
    await provision();
    await store.transaction((tx) => saveImportWith(tx, []));
    const at = await versionOf(store, 1);
    expect(await writes(store).deleteDatabase(at, 1)).toEqual({ status: 'in_use', profiles: 1, subscriptions: 0 });
    expect(await writes(store).deleteResource(at, 21)).toEqual({ status: 'in_use', profiles: 0, subscriptions: 1 });
    const db = (await store.loadCatalog(1)).databases.get(1);
    if (!db) throw new Error('database 1 missing');
    expect(await writes(store).saveDatabase(at, { ...db, fields: [] }, { requireNoProfiles: true }, NOW)).toEqual({
      status: 'in_use',
      profiles: 1,
      subscriptions: 0,
    });
    expect((await versionOf(store, 1)).version).toBe(at.version);
    expect(await writes(store).saveDatabase(at, { ...db, name: 'Renamed' }, { requireNoProfiles: false }, NOW)).toEqual(
      { status: 'done', id: 1 },
    );
  });

  it("catalog: cancels a trigger's scheduled messages when asked, and when it is deleted", async () => {
    const store = current();
    await provision();
    const second = (await writes(store).saveTrigger(await versionOf(store, 1), newTrigger('Second'), {}, NOW)) as {
      id: number;
    };
    await store.transaction((tx) => saveImportWith(tx, [96, second.id]));
    const trigger = (await store.loadCatalog(1)).triggers.get(96) as TriggerDef;

    await writes(store).saveTrigger(await versionOf(store, 1), { ...trigger, isActive: false }, {}, LATER);
    expect(await messagesOf(store, 96)).toEqual([{ status: 'scheduled', skipReason: null }]);
    await writes(store).saveTrigger(
      await versionOf(store, 1),
      { ...trigger, isActive: false },
      { cancelScheduled: 'trigger deactivated' },
      LATER,
    );
    expect(await messagesOf(store, 96)).toEqual([{ status: 'cancelled', skipReason: 'trigger deactivated' }]);
    expect(await messagesOf(store, second.id)).toEqual([{ status: 'scheduled', skipReason: null }]);

    await writes(store).deleteTrigger(await versionOf(store, 1), second.id, LATER);
    expect(await messagesOf(store, second.id)).toEqual([{ status: 'cancelled', skipReason: 'trigger deleted' }]);
    expect(await store.nextDueAt()).toBeUndefined();
  });
}
