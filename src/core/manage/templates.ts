// templates/add, update, get, list, delete (spec 05): templates of one or several channels, in
// Altcraft's form (`channels: [{sid, fields}]`) or Herald's single-channel shorthand, checked as
// the provisioning file checks them (channel parts, the variable grammar of spec 04, `{lead.*}`
// variables that are fields of a database of the account); a change that would leave a trigger
// without content for its channel or with a variable its database lacks is refused, and so is
// deleting a template in use.
import { CONFIG_CHANGE, defineMethod } from '../api/define.js';
import type { Call, WriteCall } from '../api/method.js';
import type { CatalogTx } from '../catalog/store-port.js';
import { getTemplate } from '../catalog/lookup.js';
import {
  commitChange,
  dependentProblems,
  describeTrigger,
  idField,
  inUse,
  pageById,
  throwFirst,
  validated,
  withMap,
  writtenId,
} from './change.js';
import {
  checkTemplate,
  decodeTemplate,
  requestedTemplateChannels,
  shorthandParts,
  stripUndefined,
  templateSchema,
} from '../catalog/decode.js';
import { DecodeError } from '../base/errors.js';
import { CHANNELS, templateChannels, type Catalog, type TemplateDef } from '../catalog/types.js';
import { templateChannelsFieldProblem, templateVariableNames } from '../catalog/template-fields.js';
import { templateJson, templateListItemJson, templateListItemView, templateView } from '../catalog/views.js';
import { intJson, one, idPage } from '../values/json-schema.js';
import { idPagingFields } from '../values/paging.js';
import { arrayOf, bool, object, oneOf, optional, str, type Decoded } from '../values/schema.js';

type TemplateParts = Omit<TemplateDef, 'id' | 'accountId'>;

const { id: _id, ...addShape } = templateSchema.shape;
const templateId = object(idField(['template_id']));
const addParams = object(addShape);
// Every key optional: what is not sent is kept.
const updateParams = object({ ...templateId.shape, ...addShape, name: optional(str({ nonEmpty: true })) });
const listParams = object({ ...idPagingFields, channel: optional(oneOf(CHANNELS)) });
// Altcraft's current Get template info page: `channel_sid` keeps only the channels named (names of
// channels Herald has not, like `cc_channel`, match nothing); `get_variable` adds `params`, the
// variables those channels use.
const getParams = object({
  ...templateId.shape,
  channel_sid: optional(arrayOf(str(), { single: true })),
  get_variable: optional(bool()),
});

/** The `{lead.*}` variables of every channel of a template, against the account's databases. */
function leadFieldsChecked(channels: TemplateDef['channels'], catalog: Catalog): void {
  const problem = templateChannelsFieldProblem(channels, catalog.databases.values());
  if (problem) throw new DecodeError(problem.text, [problem.key]);
}

export async function addTemplate(call: WriteCall<CatalogTx>, input: Decoded<typeof addParams>) {
  const { id: _none, ...parts } = validated(() => decodeTemplate({ ...input, id: undefined }));
  validated(() => leadFieldsChecked(parts.channels, call.catalog));
  const def = { ...parts, accountId: call.catalog.accountId };
  const result = await commitChange(call, (_catalog, at) => call.tx.saveTemplate(at, def, call.env.clock.now()));
  const id = writtenId(result);
  // Altcraft's Add template page answers `data.saved_id`; Herald's answer is the template, with it.
  return { data: { ...templateView({ ...def, id }), saved_id: id } };
}

/**
 * The channels after an update: `channels` replaces them all; the shorthand changes one channel —
 * on a template of one channel it is that template as before (its parts merged, `channel` may
 * change it), on a template of several it needs `channel` and merges into (or adds) that one.
 */
function updatedChannels(
  current: TemplateDef['channels'],
  input: Decoded<typeof updateParams>,
): TemplateDef['channels'] {
  const patch = shorthandParts(input);
  if (input.channels !== undefined) return requestedTemplateChannels(input) ?? current;
  if (input.channel === undefined && Object.keys(patch).length === 0) return current;
  const present = templateChannels({ channels: current });
  if (present.length === 1) {
    const [only] = present;
    return { [input.channel ?? only]: { ...current[only], ...patch } };
  }
  if (input.channel === undefined)
    throw new DecodeError('is required: this template has several channels, name the one to change', ['channel']);
  return { ...current, [input.channel]: { ...current[input.channel], ...patch } };
}

export async function updateTemplate(call: WriteCall<CatalogTx>, input: Decoded<typeof updateParams>) {
  let saved: TemplateDef | undefined;
  await commitChange(call, (catalog, at) => {
    const { id, accountId, ...current } = getTemplate(catalog, input.id);
    const merged: TemplateParts = stripUndefined({
      name: input.name ?? current.name,
      description: input.description ?? current.description,
      channels: validated(() => updatedChannels(current.channels, input)),
    }) as TemplateParts;
    validated(() => checkTemplate(merged.channels));
    validated(() => leadFieldsChecked(merged.channels, catalog));
    const next = { ...merged, accountId, id };
    throwFirst(dependentProblems(catalog, withMap(catalog, 'templates', new Map(catalog.templates).set(id, next))));
    saved = next;
    return call.tx.saveTemplate(at, next, call.env.clock.now());
  });
  return { data: templateView(saved as TemplateDef) };
}

export async function readTemplate(call: Call, input: Decoded<typeof getParams>) {
  const template = getTemplate(call.catalog, input.id);
  const only = input.channel_sid;
  const named =
    only === undefined || only.length === 0
      ? templateChannels(template)
      : templateChannels(template).filter((c) => only.includes(c));
  const view = templateView({ ...template, channels: Object.fromEntries(named.map((c) => [c, template.channels[c]])) });
  if (input.get_variable !== true) return { data: view };
  return { data: { ...view, params: templateVariableNames(named.map((c) => template.channels[c] ?? {})) } };
}

export async function listTemplates(call: Call, input: Decoded<typeof listParams>) {
  const matches = [...call.catalog.templates.values()].filter(
    (t) => input.channel === undefined || t.channels[input.channel] !== undefined,
  );
  const { page, total, next } = pageById(matches, input.from_id, input.limit);
  return { data: page.map(templateListItemView), total_count: total, next_from_id: next };
}

/** Deletes a template that no trigger's content names; answers its id (Altcraft's `data`). */
export async function deleteTemplate(call: WriteCall<CatalogTx>, input: Decoded<typeof templateId>) {
  await commitChange(call, (catalog, at) => {
    getTemplate(catalog, input.id);
    const users = [...catalog.triggers.values()]
      .filter((t) => t.content.some((c) => c.message_id === input.id))
      .map(describeTrigger);
    if (users.length > 0) throw inUse(`template ${input.id}`, users);
    return call.tx.deleteTemplate(at, input.id);
  });
  return { data: input.id };
}

export const templateMethods = [
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'templates/add',
    summary: 'Create a template (spec 04: parts per channel, variable grammar checked)',
    params: addParams,
    payload: one(templateJson),
    handle: addTemplate,
  }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'templates/update',
    summary: 'Change a template: fields not sent are kept',
    params: updateParams,
    payload: one(templateJson),
    handle: updateTemplate,
  }),
  defineMethod({
    name: 'templates/get',
    summary: 'One template (channel_sid: only those channels)',
    write: false,
    params: getParams,
    payload: one(templateJson),
    handle: readTemplate,
  }),
  defineMethod({
    name: 'templates/list',
    summary: "The account's templates, by id, optionally of one channel",
    write: false,
    params: listParams,
    payload: idPage(templateListItemJson),
    handle: listTemplates,
  }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'templates/delete',
    summary: 'Delete a template nothing uses; data is its id',
    params: templateId,
    payload: one({ ...intJson, description: 'the deleted template id' }),
    handle: deleteTemplate,
  }),
];
