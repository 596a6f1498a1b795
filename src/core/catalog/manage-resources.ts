// resources/add, update, get, list, delete (spec 05): resources with their linked databases and
// channels, checked as the provisioning file checks them; a change that would leave a trigger
// invalid (unlinking its database, dropping its channel or from address) is refused.
import { getResource, type AccountContext, type CoreDeps } from '../context.js';
import { commitChange, dataUsers, dependentProblems, describeTrigger, inUse, pageById, throwFirst, withMap, writtenId } from './change.js';
import type { Channel, ChannelSettings, ResourceDef } from './types.js';
import { resourceProblems } from './validate.js';
import { resourceView } from './views.js';

export interface ResourceFieldsInput {
  name?: string;
  db_ids?: number[];
  channels?: Partial<Record<Channel, ChannelSettings>>;
}

export async function addResource(deps: CoreDeps, ctx: AccountContext, input: ResourceFieldsInput & { name: string }) {
  const def = { accountId: ctx.catalog.accountId, name: input.name, dbIds: [...new Set(input.db_ids ?? [])], channels: input.channels ?? {} };
  const result = await commitChange(deps, ctx, (catalog, at) => {
    throwFirst(resourceProblems({ ...def, id: 0 }, catalog));
    return deps.store.saveResource(at, def, deps.clock.now());
  });
  return { data: resourceView({ ...def, id: writtenId(result) }) };
}

export async function updateResource(deps: CoreDeps, ctx: AccountContext, input: ResourceFieldsInput & { id: number }) {
  let saved: ResourceDef | undefined;
  await commitChange(deps, ctx, (catalog, at) => {
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
    return deps.store.saveResource(at, next, deps.clock.now());
  });
  return { data: resourceView(saved as ResourceDef) };
}

export async function readResource(_deps: CoreDeps, ctx: AccountContext, input: { id: number }) {
  return { data: resourceView(getResource(ctx.catalog, input.id)) };
}

export async function listResources(_deps: CoreDeps, ctx: AccountContext, input: { from_id: number; limit: number }) {
  const { page, total } = pageById([...ctx.catalog.resources.values()], input.from_id, input.limit);
  return { data: page.map(resourceView), total_count: total };
}

/** Deletes a resource that no trigger and no subscription uses. */
export async function deleteResource(deps: CoreDeps, ctx: AccountContext, input: { id: number }) {
  const result = await commitChange(deps, ctx, (catalog, at) => {
    getResource(catalog, input.id);
    const users = [...catalog.triggers.values()].filter((t) => t.resourceId === input.id).map(describeTrigger);
    if (users.length > 0) throw inUse(`resource ${input.id}`, users);
    return deps.store.deleteResource(at, input.id);
  });
  if (result.status === 'in_use') throw inUse(`resource ${input.id}`, dataUsers(result));
  return {};
}
