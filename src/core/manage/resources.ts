// resources/add, update, get, list, delete (spec 05): resources with their linked databases and
// channels, checked as the provisioning file checks them; a change that would leave a trigger
// invalid (unlinking its database, dropping its channel or from address) is refused.
import { CONFIG_CHANGE, defineMethod } from '../api/define.js';
import type { Call, WriteCall } from '../api/method.js';
import type { CatalogTx } from '../catalog/store-port.js';
import { getResource } from '../catalog/lookup.js';
import {
  commitChange,
  dataUsers,
  dependentProblems,
  describeTrigger,
  idField,
  inUse,
  pageById,
  throwFirst,
  withMap,
  writtenId,
} from './change.js';
import { resourceSchema } from '../catalog/decode.js';
import { invalid } from '../base/errors.js';
import { channelsSchema } from '../catalog/decode.js';
import { CHANNELS, type Channel, type ResourceDef } from '../catalog/types.js';
import { resourceProblems } from '../catalog/validate.js';
import { resourceJson, resourceView } from '../catalog/views.js';
import { noPayload, one, idPage } from '../values/json-schema.js';
import { idPagingFields } from '../values/paging.js';
import { arrayOf, object, oneOf, optional, str, type Decoded, type Schema } from '../values/schema.js';

type ChannelMap = ResourceDef['channels'];
/** `channels` as sent: the settings per channel (Herald's form) or the channel names (as Altcraft's page answers). */
type ChannelsInput = { settings: ChannelMap } | { names: Channel[] };

const channelNames = arrayOf(oneOf(CHANNELS), { single: true });
const channelsInput: Schema<ChannelsInput> = {
  decode(value, c) {
    if (Array.isArray(value) || typeof value === 'string')
      return { names: [...new Set(channelNames.decode(value, c))] };
    return { settings: channelsSchema.decode(value, c) };
  },
  json: () => ({
    description:
      'the settings per channel (an object), or the names of the channels (an array) whose settings are in channel_settings or kept',
    oneOf: [channelsSchema.json(), channelNames.json()],
  }),
};

const { id: _id, ...addShape } = resourceSchema.shape;
const resourceId = object(idField(['resource_id']));
const changeShape = {
  db_ids: optional(addShape.db_ids.schema, undefined, { aliases: ['dbs_ids'] }),
  channels: optional(channelsInput),
  channel_settings: optional(channelsSchema),
};
const addParams = object({ name: addShape.name, ...changeShape });
const updateParams = object({ ...resourceId.shape, name: optional(str({ nonEmpty: true })), ...changeShape });

/**
 * The channel settings a request asks for, or undefined when it sends none: `channel_settings`
 * (or an object in `channels`) gives them; a list of names keeps the current settings of those
 * channels, and a listed channel without settings is a 400.
 */
function requestedChannels(
  input: { channels?: ChannelsInput; channel_settings?: ChannelMap },
  current: ChannelMap,
): ChannelMap | undefined {
  const given =
    input.channel_settings ?? (input.channels && 'settings' in input.channels ? input.channels.settings : undefined);
  const names = input.channels && 'names' in input.channels ? input.channels.names : undefined;
  if (names === undefined) return given;
  const out: ChannelMap = {};
  for (const name of names) {
    const settings = given?.[name] ?? current[name];
    if (!settings) throw invalid(`channels: channel ${name} has no settings: send them in channel_settings.${name}`);
    out[name] = settings;
  }
  return out;
}

export async function addResource(call: WriteCall<CatalogTx>, input: Decoded<typeof addParams>) {
  const def = {
    accountId: call.catalog.accountId,
    name: input.name,
    dbIds: [...new Set(input.db_ids ?? [])],
    channels: requestedChannels(input, {}) ?? {},
  };
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
    const channels = requestedChannels(input, current.channels);
    const next: ResourceDef = {
      ...current,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.db_ids !== undefined ? { dbIds: [...new Set(input.db_ids)] } : {}),
      ...(channels !== undefined ? { channels } : {}),
    };
    throwFirst(resourceProblems(next, catalog));
    throwFirst(
      dependentProblems(catalog, withMap(catalog, 'resources', new Map(catalog.resources).set(next.id, next))),
    );
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
  const { page, total, next } = pageById([...call.catalog.resources.values()], input.from_id, input.limit);
  return { data: page.map(resourceView), total_count: total, next_from_id: next };
}

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
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'resources/add',
    summary: 'Create a resource: linked databases and channels',
    params: addParams,
    payload: one(resourceJson),
    handle: addResource,
  }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'resources/update',
    summary: 'Change a resource: fields not sent are kept; dbs_ids and channels, when sent, replace',
    params: updateParams,
    payload: one(resourceJson),
    handle: updateResource,
  }),
  defineMethod({
    name: 'resources/get',
    summary: 'One resource',
    write: false,
    params: resourceId,
    payload: one(resourceJson),
    handle: readResource,
  }),
  defineMethod({
    name: 'resources/list',
    summary: "The account's resources, by id",
    write: false,
    params: object(idPagingFields),
    payload: idPage(resourceJson),
    handle: listResources,
  }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'resources/delete',
    summary: 'Delete a resource nothing uses',
    params: resourceId,
    payload: noPayload,
    handle: deleteResource,
  }),
];
