// resources/add, update, get, list, delete (spec 05): resources with their linked databases and
// channels, checked as the provisioning file checks them; a change that would leave a trigger
// invalid (unlinking its database, dropping its channel or from address) is refused.
import { CONFIG_CHANGE, defineMethod } from '../api/define.js';
import type { Call, WriteCall } from '../api/method.js';
import type { CatalogTx } from '../catalog/store-port.js';
import { getResource } from '../catalog/lookup.js';
import { commitChange, dataUsers, dependentProblems, describeTrigger, idField, inUse, pageById, throwFirst, withMap, writtenId } from './change.js';
import { resourceSchema } from '../catalog/decode.js';
import type { ResourceDef } from '../catalog/types.js';
import { resourceProblems } from '../catalog/validate.js';
import { resourceJson, resourceView } from '../catalog/views.js';
import { arrayJson, noPayload, obj, one } from '../values/json-schema.js';
import { idPagingFields } from '../values/paging.js';
import { object, optional, str, type Decoded } from '../values/schema.js';

const { id: _id, ...addShape } = resourceSchema.shape;
const resourceId = object(idField(['resource_id']));
const addParams = object(addShape);
const updateParams = object({ ...resourceId.shape, name: optional(str({ nonEmpty: true })), db_ids: optional(addShape.db_ids.schema), channels: optional(addShape.channels.schema) });

export async function addResource(call: WriteCall<CatalogTx>, input: Decoded<typeof addParams>) {
  const def = { accountId: call.catalog.accountId, name: input.name, dbIds: [...new Set(input.db_ids ?? [])], channels: input.channels ?? {} };
  const result = await commitChange(call, (catalog, at) => {
    throwFirst(resourceProblems({ ...def, id: 0 }, catalog));
    return call.tx.saveResource(at, def, call.env.clock.now());
  });
  return { data: resourceView({ ...def, id: writtenId(result) }) };
}

export async function updateResource(call: WriteCall<CatalogTx>, input: Decoded<typeof updateParams>) {
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

export async function readResource(call: Call, input: Decoded<typeof resourceId>) {
  return { data: resourceView(getResource(call.catalog, input.id)) };
}

/** A page of resources; `next_from_id` (Altcraft's cursor) is the id after the page's last. */
export async function listResources(call: Call, input: Decoded<typeof idPagingFields>) {
  const { page, total } = pageById([...call.catalog.resources.values()], input.from_id, input.limit);
  const last = page.at(-1);
  return { data: page.map(resourceView), total_count: total, next_from_id: last ? last.id + 1 : input.from_id };
}

const resourcePage = obj({
  data: arrayJson(resourceJson),
  total_count: { type: 'integer', minimum: 0, description: 'all matches, whatever the cursor and limit' },
  next_from_id: { type: 'integer', minimum: 1, description: "the from_id of the next page: the id after this page's last (from_id itself when the page is empty)" },
});

/** Deletes a resource that no trigger and no subscription uses. */
export async function deleteResource(call: WriteCall<CatalogTx>, input: Decoded<typeof resourceId>) {
  const result = await commitChange(call, (catalog, at) => {
    getResource(catalog, input.id);
    const users = [...catalog.triggers.values()].filter((t) => t.resourceId === input.id).map(describeTrigger);
    if (users.length > 0) throw inUse(`resource ${input.id}`, users);
    return call.tx.deleteResource(at, input.id);
  });
  if (result.status === 'in_use') throw inUse(`resource ${input.id}`, dataUsers(result));
  return {};
}

export const resourceMethods = [
  defineMethod({ ...CONFIG_CHANGE, name: 'resources/add', summary: 'Create a resource: linked databases and channels', params: addParams, payload: one(resourceJson), handle: addResource }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'resources/update',
    summary: 'Change a resource: fields not sent are kept; db_ids and channels, when sent, replace',
    params: updateParams,
    payload: one(resourceJson),
    handle: updateResource,
  }),
  defineMethod({ name: 'resources/get', summary: 'One resource', write: false, params: resourceId, payload: one(resourceJson), handle: readResource }),
  defineMethod({ name: 'resources/list', summary: "The account's resources, by id", write: false, params: object(idPagingFields), payload: resourcePage, handle: listResources }),
  defineMethod({ ...CONFIG_CHANGE, name: 'resources/delete', summary: 'Delete a resource nothing uses', params: resourceId, payload: noPayload, handle: deleteResource }),
];
