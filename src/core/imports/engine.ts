// The import engine (spec 02–03): applies a batch of decoded items set-wise, in the request's
// transaction, a chunk at a time. Each chunk is resolved (one lookup round finds every stored
// profile it can touch), applied in order in memory (so a batch equals its items one by one),
// scheduled (the messages and events it launches) and written in one write — before the next
// chunk, whose lookup sees what the earlier ones wrote.
import { errorTexts, type ItemError } from '../base/errors.js';
import { INDEXED_SYSTEM } from '../profiles/profile-state.js';
import { fieldSpecs } from '../fields/field-specs.js';
import { StoredLaunches } from '../triggers/stored-launches.js';
import { applyItem, newProfile } from './apply.js';
import type { DecodedItem } from './items.js';
import type { ImportOutcome } from './outcome.js';
import type { ImportPlan } from './plan.js';
import type { ItemSource } from './request.js';
import { ResolvedChunk } from './resolve.js';
import { scheduleItem, type ChunkSchedule } from './schedule.js';
import type { ImportTx } from './store-port.js';
import { writeChunk } from './write.js';

/**
 * Items applied per round of resolve, apply, schedule and write. A batch runs chunk after chunk
 * in its one transaction: the result is the same as one round (and as the items one by one),
 * while the profiles, rows and messages in memory are those of one chunk, not of the batch.
 */
export const IMPORT_CHUNK = 2_500;

export interface ImportRun {
  now: number;
  /** One writer at a time (SQLite): no creation claims. */
  singleWriter: boolean;
  /** The launches stored so far, shared by the chunks (one launch per trigger per batch). */
  launches?: StoredLaunches;
}

/** Applies a batch in the transaction `tx`, chunk by chunk; errors come back in input order. */
export async function runImport(
  tx: ImportTx,
  plan: ImportPlan,
  source: ItemSource,
  run: ImportRun,
): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { profileIds: [], errors: [] };
  const launches = run.launches ?? new StoredLaunches();
  let from = 0;
  do {
    const to = Math.min(from + IMPORT_CHUNK, source.total);
    const { items, errors } = source.decode(from, to);
    outcome.errors.push(...errors);
    await runChunk({ tx, plan, launches, now: run.now, messages: [], events: [] }, items, outcome, run.singleWriter);
    from = to;
  } while (from < source.total);
  outcome.errors.sort((a, b) => a.index - b.index);
  return outcome;
}

async function runChunk(
  out: ChunkSchedule,
  items: DecodedItem[],
  outcome: ImportOutcome,
  singleWriter: boolean,
): Promise<void> {
  const { plan, now } = out;
  const chunk = await ResolvedChunk.of(out.tx, plan, items, singleWriter);
  const specs = fieldSpecs(plan.db);
  const indexed = (field: string): boolean => INDEXED_SYSTEM.has(field) || specs.get(field)?.custom === true;
  for (const item of items) {
    let profile = await chunk.find(item.query);
    const created = !profile;
    if (!profile) {
      if (!item.query.canCreate || !plan.createAllowed) {
        outcome.errors.push(notFound(plan, item));
        continue;
      }
      profile = newProfile(plan, item, chunk.ws.nextNewOrder(), now);
    }
    const subscriptionCount = profile.subscriptions.length;
    const became = applyItem(profile, item, now);
    // Match keys change only with an indexed value or a new subscription: an update of other
    // fields (names, statuses) keeps the profile's index entries and value rows as they are.
    if (created || profile.subscriptions.length !== subscriptionCount || item.ops.some((op) => indexed(op.field)))
      chunk.ws.index(profile);
    outcome.profileIds[item.index] = profile.id;
    await scheduleItem(out, { item, profile, created, became });
  }
  await writeChunk(out, chunk.ws);
}

function notFound(plan: ImportPlan, item: DecodedItem): ItemError {
  return {
    index: item.index,
    error: 404,
    error_text: errorTexts[404],
    error_debug: `${plan.shape === 'item' ? `data[${item.index}]: ` : ''}Profile not found`,
  };
}
