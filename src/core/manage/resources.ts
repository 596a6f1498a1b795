// resources/add, update, get, list, delete (spec 05): resources with their linked databases and
// channels, checked as the provisioning file checks them; a change that would leave a trigger
// invalid (unlinking its database, dropping its channel or from address) is refused.
import type { Call, WriteCall } from '../api/method.js';
import type { CatalogTx } from '../catalog/store-port.js';
import { getResource } from '../catalog/lookup.js';
import { commitChange, dataUsers, dependentProblems, describeTrigger, inUse, pageById, throwFirst, withMap, writtenId } from './change.js';
import type { Channel, ChannelSettings, ResourceDef } from '../catalog/types.js';
import { resourceProblems } from '../catalog/validate.js';
import { resourceView } from '../catalog/views.js';

export interface ResourceFieldsInput {
  name?: string;
  db_ids?: number[];
  channels?: Partial<Record<Channel, ChannelSettings>>;
}

export async function addResource(call: WriteCall<CatalogTx>, input: ResourceFieldsInput & { name: string }) {
  const def = { accountId: call.catalog.accountId, name: input.name, dbIds: [...new Set(input.db_ids ?? [])], channels: input.channels ?? {} };
  const result = await commitChange(call, (catalog, at) => {
    throwFirst(resourceProblems({ ...def, id: 0 }, catalog));
    return call.tx.saveResource(at, def, call.env.clock.now());
  });
  return { data: resourceView({ ...def, id: writtenId(result) }) };
}

export async function updateResource(call: WriteCall<CatalogTx>, input: ResourceFieldsInput & { id: number }) {
  let saved: ResourceDef | undefined;
  await commitChange(call, (catalog, at) => {
    const current = getResource(catalog, input.id);
    const next: ResourceDef = {
      ...current,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.db_ids !== undefined ? { dbIds: [...new Set(input.db_ids)] } : {}),
      ...(input.channels !== undefined ? { channels: input.channels } : {}),
    };
    throwFirst(resourceProblems(next, catalog));
    throwFirst(dependentProblems(catalog, withMap(catalog, 'resources', new Map(catalog.resources).set(next.id, next))));
    saved = next;
    return call.tx.saveResource(at, next, call.env.clock.now());
  });
  return { data: resourceView(saved as ResourceDef) };
}

export async function readResource(call: Call, input: { id: number }) {
  return { data: resourceView(getResource(call.catalog, input.id)) };
}

export async function listResources(call: Call, input: { from_id: number; limit: number }) {
  const { page, total } = pageById([...call.catalog.resources.values()], input.from_id, input.limit);
  return { data: page.map(resourceView), total_count: total };
}

/** Deletes a resource that no trigger and no subscription uses. */
export async function deleteResource(call: WriteCall<CatalogTx>, input: { id: number }) {
  const result = await commitChange(call, (catalog, at) => {
    getResource(catalog, input.id);
    const users = [...catalog.triggers.values()].filter((t) => t.resourceId === input.id).map(describeTrigger);
    if (users.length > 0) throw inUse(`resource ${input.id}`, users);
    return call.tx.deleteResource(at, input.id);
  });
  if (result.status === 'in_use') throw inUse(`resource ${input.id}`, dataUsers(result));
  return {};
}
