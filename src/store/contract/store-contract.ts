// The behaviour every Store must show, run against each adapter (sqlite.test.ts, and
// postgres.test.ts when HERALD_TEST_POSTGRES_URL is set). Adapters differ in SQL, never here.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MatchKey } from '../../core/matching/modes.js';
import type { Store } from '../../core/ports.js';
import type { ProvisionPlan } from '../../core/provisioning/plan.js';
import { defineCatalogContract } from './catalog-contract.js';
import { defineMonitorContract } from './monitor-contract.js';
import { defineQueueContract } from './queue-contract.js';
import type { ImportWrite } from '../../core/imports/store-port.js';
import type { ProfileWrite } from '../../core/profiles/store-port.js';
import { fieldKey, idKey, subscriptionKey } from '../../core/matching/keys.js';

export interface StoreFactory {
  open(): Promise<Store>;
  /** Removes what open() created (files, schemas). */
  cleanup(): Promise<void>;
  /**
   * True while one of the store's sessions waits for an account's configuration hold (a store
   * whose sessions can wait on one another; a single-writer store has none).
   */
  waitsForHold?(): Promise<boolean>;
}

const NOW = Date.UTC(2026, 10, 27, 10, 0, 0);

export const contractPlan: ProvisionPlan = {
  accounts: [
    {
      id: 1,
      name: 'One',
      tokens: [{ hash: 'h1', role: 'write', revoked: false }],
      senders: [{ accountId: 1, name: 'out', type: 'file', dir: './outbox' }],
      databases: [
        {
          id: 1,
          accountId: 1,
          name: 'Customers',
          description: '',
          fields: [
            { name: 'CRM_ID', type: 'int' },
            { name: 'tags', type: 'tags' },
          ],
        },
      ],
      resources: [
        {
          id: 21,
          accountId: 1,
          name: 'Main',
          dbIds: [1],
          channels: { email: { sender: 'out', from_email: 'shop@example.com' } },
        },
      ],
      templates: [
        { id: 5, accountId: 1, name: 'Welcome', channels: { email: { subject: 'Hi', text: 'Hello {lead._fname}' } } },
      ],
      triggers: [
        {
          id: 96,
          accountId: 1,
          name: 'Welcome',
          description: '',
          subid: '',
          uiTags: [],
          isActive: true,
          triggerType: 'api_call',
          sendChannel: 'email',
          resourceId: 21,
          listId: 1,
          skipMinutes: 0,
          content: [{ message_id: 5 }],
          pushSendingMode: 'fanout',
          createdAt: NOW,
          updatedAt: NOW,
        },
      ],
      hooks: [{ accountId: 1, url: 'http://127.0.0.1:9/hooks', secret: 's', filters: { events: ['send'] } }],
    },
    {
      id: 2,
      name: 'Two',
      tokens: [{ hash: 'h2', role: 'read', revoked: false }],
      senders: [],
      databases: [],
      resources: [],
      templates: [],
      triggers: [],
      hooks: [],
    },
  ],
};

function newProfile(id: string, email: string, extra: Partial<ProfileWrite> = {}): ProfileWrite {
  return {
    id,
    fields: { email, _fname: 'Ann' },
    createdAt: NOW,
    updatedAt: NOW,
    addValues: [{ field: 'email', value: email.toLowerCase(), num: null }],
    removeValues: [],
    subscriptions: [
      {
        resourceId: 21,
        channel: 'email',
        address: email.toLowerCase(),
        status: 0,
        priority: 0,
        data: { email },
        createdAt: NOW,
        updatedAt: NOW,
      },
    ],
    ...extra,
  };
}

function importWrite(profiles: ProfileWrite[], extra: Partial<ImportWrite> = {}): ImportWrite {
  return { accountId: 1, dbId: 1, now: NOW, profiles, messages: [], events: [], ...extra };
}

const emailKey = (v: string): MatchKey => ({ kind: 'field', field: 'email', value: v, key: fieldKey('email', v) });
const subKey = (v: string, res: number | '*'): MatchKey => ({
  kind: 'sub',
  channel: 'email',
  resourceId: res,
  address: v,
  key: subscriptionKey('email', res, v),
});

export function defineStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.open();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
      await factory.cleanup();
    });

    it('migrates idempotently: migrating again changes nothing and keeps what is stored', async () => {
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      expect(await store.ensureSetting('kept', () => 'before')).toBe('before');
      const catalog = await store.loadCatalog(1);
      // Already migrated when opened: nothing left to apply, so none is named.
      await expect(store.migrate()).resolves.toEqual([]);
      await expect(store.migrate()).resolves.toEqual([]);
      expect(await store.health()).toEqual({ pendingMigrations: 0 });
      expect(await store.ensureSetting('kept', () => 'after')).toBe('before');
      expect(await store.loadCatalog(1)).toEqual(catalog);
    });

    it('stores tracked links once per account, trigger, position and URL, and finds them by id there only', async () => {
      const long = `https://shop.example/${'x'.repeat(3000)}`;
      const links = [
        { position: 0, url: 'https://shop.example/a' },
        { position: 1, url: long },
        { position: 2, url: 'https://shop.example/a' },
      ];
      const ids = await store.trackedLinkIds(1, 7, links);
      expect(new Set(ids).size).toBe(3);
      // Again, in another order, with one new: the same ids, and one more.
      const again = await store.trackedLinkIds(1, 7, [
        links[2]!,
        { position: 3, url: 'https://shop.example/d' },
        links[0]!,
      ]);
      expect([again[0], again[2]]).toEqual([ids[2], ids[0]]);
      expect(ids).not.toContain(again[1]);
      // Two callers at once get the same ids.
      const [x, y] = await Promise.all([
        store.trackedLinkIds(1, 8, links.slice(0, 2)),
        store.trackedLinkIds(1, 8, links.slice(0, 2)),
      ]);
      expect(x).toEqual(y);
      expect(x).not.toContain(ids[0]);
      expect(await store.trackedLinkIds(2, 7, links.slice(0, 1))).not.toEqual(ids.slice(0, 1));
      expect(await store.findTrackedLink(1, 7, ids[1]!)).toEqual({ position: 1, url: long });
      expect(await store.findTrackedLink(1, 8, ids[1]!)).toBeUndefined();
      expect(await store.findTrackedLink(2, 7, ids[1]!)).toBeUndefined();
      expect(await store.findTrackedLink(1, 7, 999_999)).toBeUndefined();
    });

    it('keeps the first value of a setting', async () => {
      const a = await store.ensureSetting('secret', () => 'first');
      const b = await store.ensureSetting('secret', () => 'second');
      expect([a, b]).toEqual(['first', 'first']);
    });

    it('applies a provisioning plan and loads the catalog back', async () => {
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      const catalog = await store.loadCatalog(1);
      expect(catalog.databases.get(1)?.fields).toEqual([
        { name: 'CRM_ID', type: 'int' },
        { name: 'tags', type: 'tags' },
      ]);
      expect(catalog.resources.get(21)).toMatchObject({
        dbIds: [1],
        channels: { email: { sender: 'out', from_email: 'shop@example.com' } },
      });
      expect(catalog.templates.get(5)).toMatchObject({
        channels: { email: { subject: 'Hi', text: 'Hello {lead._fname}' } },
      });
      expect(catalog.triggers.get(96)).toMatchObject({
        isActive: true,
        resourceId: 21,
        listId: 1,
        content: [{ message_id: 5 }],
      });
      expect(catalog.senders.get('out')).toMatchObject({ type: 'file', dir: './outbox' });
      expect(catalog.hooks).toEqual([
        expect.objectContaining({ url: 'http://127.0.0.1:9/hooks', secret: 's', filters: { events: ['send'] } }),
      ]);
      const version = catalog.version;
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      const again = await store.loadCatalog(1);
      expect(again.version).toBeGreaterThan(version);
      expect(again.triggers.size).toBe(1);
      expect((await store.loadCatalog(2)).databases.size).toBe(0);
      const owners = await store.describeOwnership();
      expect(owners.triggers.get(96)).toBe(1);
      expect(owners.tokens.get('h2')).toBe(2);
      expect([...owners.accounts].sort()).toEqual([1, 2]);
    });

    it('finds tokens by hash and revokes them', async () => {
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      expect(await store.findToken('h1')).toMatchObject({ accountId: 1, role: 'write', revoked: false });
      await store.createToken('h3', 2, 'write', NOW);
      expect(await store.findToken('h3')).toMatchObject({ accountId: 2, role: 'write' });
      expect(await store.revokeToken('h3')).toBe(true);
      expect(await store.findToken('h3')).toMatchObject({ revoked: true });
      expect(await store.revokeToken('nope')).toBe(false);
      expect(await store.findToken('nope')).toBeUndefined();
    });

    it('answers concurrent token lookups each with its own token, and a lookup asked after a revocation sees it', async () => {
      // PostgreSQL joins concurrent lookups into one query: each must still get its own answer.
      // (That a lookup asked while a query runs waits for the next one is the joiner's own rule,
      // src/core/base/joiner.test.ts; here a lookup asked after a revocation, beside others.)
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      for (let i = 0; i < 30; i++) await store.createToken(`c${i}`, 1 + (i % 2), i % 3 === 0 ? 'read' : 'write', NOW);
      const hashes = [...Array.from({ length: 30 }, (_, i) => `c${i}`), 'nope', 'h1', 'c7', 'h2'];
      const found = await Promise.all(hashes.map((h) => store.findToken(h)));
      hashes.forEach((h, n) => {
        if (h === 'nope') expect(found[n]).toBeUndefined();
        else if (h.startsWith('c')) {
          const i = Number(h.slice(1));
          expect(found[n]).toMatchObject({
            accountId: 1 + (i % 2),
            role: i % 3 === 0 ? 'read' : 'write',
            revoked: false,
          });
        } else expect(found[n]).toMatchObject({ accountId: h === 'h1' ? 1 : 2, revoked: false });
      });
      const inFlight = Promise.all(['c1', 'c2', 'c3'].map((h) => store.findToken(h)));
      expect(await store.revokeToken('c5')).toBe(true);
      const [after, others] = await Promise.all([store.findToken('c5'), inFlight]);
      expect(after).toMatchObject({ revoked: true });
      expect(others.map((r) => r?.revoked)).toEqual([false, false, false]);
    });

    it('remembers a revocation: applying a plan that still lists the token leaves it revoked', async () => {
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      expect(await store.revokeToken('h1', NOW + 5)).toBe(true);
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW + 10));
      expect(await store.findToken('h1')).toMatchObject({ accountId: 1, revoked: true });
      expect(await store.revokeToken('h1', NOW + 20)).toBe(true);
      const listed = await store.listTokens();
      expect(listed.find((t) => t.hash === 'h1')).toEqual({
        hash: 'h1',
        accountId: 1,
        role: 'write',
        createdAt: NOW,
        revokedAt: NOW + 5,
      });
      expect(listed.find((t) => t.hash === 'h2')).toEqual({ hash: 'h2', accountId: 2, role: 'read', createdAt: NOW });
    });

    it('a token a plan marks revoked is revoked from then on, whatever later plans say', async () => {
      const revokedPlan: ProvisionPlan = {
        accounts: contractPlan.accounts.map((a) => ({ ...a, tokens: a.tokens.map((t) => ({ ...t, revoked: true })) })),
      };
      await store.transaction((tx) => tx.applyProvisioning(revokedPlan, NOW));
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW + 10));
      expect(await store.findToken('h2')).toMatchObject({ revoked: true });
      expect((await store.listTokens()).find((t) => t.hash === 'h2')?.revokedAt).toBe(NOW);
    });

    it('rolls a failed transaction back whole', async () => {
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      await expect(
        store.transaction(async (tx) => {
          await tx.saveImport(importWrite([newProfile('aaaaaaaaaaaaaaaaaaaaaaaa', 'a@example.com')]));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const hits = await store.transaction((tx) => tx.findMatches(1, [emailKey('a@example.com')]));
      expect(hits.size).toBe(0);
    });

    it('keeps concurrent transactions independent: each commits or rolls back alone, answered after its commit', async () => {
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      // Twelve transactions started at once (SQLite commits the waiting ones as a group): every
      // third one fails after writing, and a later one reads what an earlier successful one wrote.
      const email = (i: number) => `c${i}@example.com`;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.saveImport(
              importWrite([newProfile(`cccccccccccccccccccccc${String(i).padStart(2, '0')}`, email(i))]),
            );
            if (i % 3 === 2) throw new Error(`boom ${i}`);
            return (await tx.findMatches(1, [emailKey(email(i))])).size;
          }),
        ),
      );
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual(
        Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? `boom ${i}` : 1)),
      );
      const hits = await store.transaction((tx) =>
        tx.findMatches(
          1,
          Array.from({ length: 12 }, (_, i) => emailKey(email(i))),
        ),
      );
      expect([...hits.keys()].sort()).toEqual(
        Array.from({ length: 12 }, (_, i) => i)
          .filter((i) => i % 3 !== 2)
          .map((i) => fieldKey('email', email(i)))
          .sort(),
      );
    });

    it('writes an import and finds its profiles by field, subscription and id, oldest first', async () => {
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      await store.transaction(async (tx) => {
        const launchId = await tx.insertLaunch(
          1,
          {
            triggerId: 96,
            kind: 'api',
            content: { page: 'x' },
            customData: null,
            attachments: [{ name: 'a.txt', mime: 'text/plain', data: Buffer.from('hi') }],
          },
          NOW,
        );
        await tx.saveImport(
          importWrite(
            [
              newProfile('aaaaaaaaaaaaaaaaaaaaaaa1', 'A@example.com'),
              newProfile('aaaaaaaaaaaaaaaaaaaaaaa2', 'b@example.com', {
                fields: { email: 'b@example.com', CRM_ID: 7 },
                addValues: [
                  { field: 'email', value: 'a@example.com', num: null },
                  { field: 'CRM_ID', value: '7', num: 7 },
                ],
              }),
            ],
            {
              messages: [
                {
                  launchId,
                  triggerId: 96,
                  profileId: 'aaaaaaaaaaaaaaaaaaaaaaa1',
                  channel: 'email',
                  resourceId: 21,
                  address: 'a@example.com',
                  status: 'scheduled',
                  skipReason: null,
                  dueAt: NOW,
                  variant: 0,
                  customData: null,
                },
              ],
              events: [
                {
                  type: 'import_api',
                  dbId: 1,
                  resourceId: null,
                  triggerId: 96,
                  profileId: 'aaaaaaaaaaaaaaaaaaaaaaa1',
                  payload: { created: true },
                },
              ],
            },
          ),
        );
      });
      const hits = await store.transaction((tx) =>
        tx.findMatches(1, [
          emailKey('a@example.com'),
          subKey('a@example.com', '*'),
          subKey('a@example.com', 21),
          subKey('a@example.com', 99),
          { kind: 'id', id: 'aaaaaaaaaaaaaaaaaaaaaaa2', key: idKey('aaaaaaaaaaaaaaaaaaaaaaa2') },
          { kind: 'field', field: 'CRM_ID', value: '7', key: fieldKey('CRM_ID', '7') },
        ]),
      );
      const byEmail = hits.get(fieldKey('email', 'a@example.com')) ?? [];
      expect(byEmail).toHaveLength(2);
      expect(byEmail[0]).toBeLessThan(byEmail[1]);
      expect(hits.get(subscriptionKey('email', '*', 'a@example.com'))).toEqual([byEmail[0]]);
      expect(hits.get(subscriptionKey('email', 21, 'a@example.com'))).toEqual([byEmail[0]]);
      expect(hits.has(subscriptionKey('email', 99, 'a@example.com'))).toBe(false);
      expect(hits.get(idKey('aaaaaaaaaaaaaaaaaaaaaaa2'))).toEqual([byEmail[1]]);
      expect(hits.get(fieldKey('CRM_ID', '7'))).toEqual([byEmail[1]]);
      expect(await store.transaction((tx) => tx.findMatches(2, [emailKey('a@example.com')]))).toEqual(new Map());

      const [loaded] = await store.transaction((tx) => tx.loadProfiles(1, [byEmail[0]]));
      expect(loaded).toMatchObject({
        id: 'aaaaaaaaaaaaaaaaaaaaaaa1',
        accountId: 1,
        dbId: 1,
        fields: { email: 'A@example.com', _fname: 'Ann' },
        createdAt: NOW,
      });
      expect(loaded.subscriptions).toEqual([
        {
          resourceId: 21,
          channel: 'email',
          address: 'a@example.com',
          status: 0,
          priority: 0,
          data: { email: 'A@example.com' },
          createdAt: NOW,
          updatedAt: NOW,
        },
      ]);
    });

    it('updates profiles: value rows added and removed, subscriptions upserted by identity', async () => {
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      await store.transaction((tx) =>
        tx.saveImport(importWrite([newProfile('aaaaaaaaaaaaaaaaaaaaaaa1', 'a@example.com')])),
      );
      const seq = (await store.transaction((tx) => tx.findMatches(1, [emailKey('a@example.com')]))).get(
        fieldKey('email', 'a@example.com'),
      )?.[0];
      expect(seq).toBeDefined();
      const later = NOW + 1000;
      await store.transaction((tx) =>
        tx.saveImport(
          importWrite([
            {
              seq,
              id: 'aaaaaaaaaaaaaaaaaaaaaaa1',
              fields: { email: 'c@example.com' },
              createdAt: NOW,
              updatedAt: later,
              addValues: [{ field: 'email', value: 'c@example.com', num: null }],
              removeValues: [{ field: 'email', value: 'a@example.com', num: null }],
              subscriptions: [
                {
                  resourceId: 21,
                  channel: 'email',
                  address: 'a@example.com',
                  status: 1,
                  priority: 2,
                  data: { email: 'a@example.com' },
                  createdAt: NOW,
                  updatedAt: later,
                },
                {
                  resourceId: 21,
                  channel: 'email',
                  address: 'c@example.com',
                  status: 0,
                  priority: 0,
                  data: { email: 'c@example.com' },
                  createdAt: later,
                  updatedAt: later,
                },
              ],
            },
          ]),
        ),
      );
      const hits = await store.transaction((tx) =>
        tx.findMatches(1, [emailKey('a@example.com'), emailKey('c@example.com')]),
      );
      expect(hits.has(fieldKey('email', 'a@example.com'))).toBe(false);
      expect(hits.get(fieldKey('email', 'c@example.com'))).toEqual([seq]);
      const [p] = await store.transaction((tx) => tx.loadProfiles(1, [seq as number]));
      expect(p.fields).toEqual({ email: 'c@example.com' });
      expect(p.updatedAt).toBe(later);
      expect(p.subscriptions.map((s) => [s.address, s.status, s.priority]).sort()).toEqual([
        ['a@example.com', 1, 2],
        ['c@example.com', 0, 0],
      ]);
    });

    it('deletes a profile with its values and subscriptions', async () => {
      await store.transaction((tx) => tx.applyProvisioning(contractPlan, NOW));
      await store.transaction((tx) =>
        tx.saveImport(importWrite([newProfile('aaaaaaaaaaaaaaaaaaaaaaa1', 'a@example.com')])),
      );
      const seq = (await store.transaction((tx) => tx.findMatches(1, [emailKey('a@example.com')]))).get(
        fieldKey('email', 'a@example.com'),
      )?.[0] as number;
      const [p] = await store.transaction((tx) => tx.loadProfiles(1, [seq]));
      await store.transaction((tx) =>
        tx.deleteProfile(p, [{ field: 'email', value: 'a@example.com', num: null }], NOW),
      );
      const hits = await store.transaction((tx) =>
        tx.findMatches(1, [emailKey('a@example.com'), subKey('a@example.com', '*')]),
      );
      expect(hits.size).toBe(0);
      expect(await store.transaction((tx) => tx.loadProfiles(1, [seq]))).toEqual([]);
    });

    defineCatalogContract(() => store, contractPlan, factory.waitsForHold?.bind(factory));
    defineQueueContract(() => store, contractPlan);
    defineMonitorContract(() => store, contractPlan);
  });
}
