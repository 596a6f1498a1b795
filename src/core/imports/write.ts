// Step four of an import chunk: one set-wise write of what the chunk changed — new and changed
// profiles with the difference of their value rows, changed subscriptions, the messages and the
// hook events — in the request's transaction.
import type { DatabaseDef } from '../catalog/types.js';
import { copySubscriptionData, valueRows, type ProfileState, type ValueRow } from '../profiles/profile-state.js';
import type { ProfileWrite } from '../profiles/store-port.js';
import type { ChunkSchedule } from './schedule.js';
import type { WorkingSet } from './working-set.js';

const sameRow = (a: ValueRow, b: ValueRow): boolean => a.field === b.field && a.value === b.value;

/** What a profile of the chunk writes: itself, the difference of its value rows, its changed subscriptions. */
export function profileWrite(p: ProfileState, db: DatabaseDef): ProfileWrite {
  const rows = p.rows ?? valueRows(p.fields, db);
  let addValues = rows;
  let removeValues: ValueRow[] = [];
  if (p.stored) {
    // Profiles hold a handful of rows: pairwise comparison beats building maps.
    addValues = rows.filter((r) => !p.storedRows.some((old) => sameRow(old, r) && old.num === r.num));
    removeValues = p.storedRows.filter((old) => !rows.some((r) => sameRow(old, r)));
  }
  return {
    seq: p.seq,
    id: p.id,
    fields: p.fields,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    addValues,
    removeValues,
    subscriptions: p.subscriptions
      .filter((s) => s.dirty)
      .map((s) => ({
        resourceId: s.resourceId,
        channel: s.channel,
        address: s.address,
        status: s.status,
        priority: s.priority,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
        data: copySubscriptionData({}, s),
      })),
  };
}

export async function writeChunk(out: ChunkSchedule, ws: WorkingSet): Promise<void> {
  const { db, catalog } = out.plan;
  const profiles: ProfileWrite[] = [];
  for (const p of ws.profiles) if (p.dirty) profiles.push(profileWrite(p, db));
  await out.tx.saveImport({
    accountId: catalog.accountId,
    dbId: db.id,
    now: out.now,
    profiles,
    messages: out.messages,
    events: out.events,
  });
}
