// templates/add, update, get, list, delete (spec 05): templates checked as the provisioning file
// checks them (channel parts and the variable grammar of spec 04); a change of channel that would
// leave a trigger sending another channel is refused, and so is deleting a template in use.
import type { Call, WriteCall } from '../api/method.js';
import type { CatalogTx } from '../catalog/store-port.js';
import { getTemplate } from '../catalog/lookup.js';
import { commitChange, dependentProblems, describeTrigger, inUse, pageById, throwFirst, validated, withMap, writtenId } from './change.js';
import { checkTemplate, stripUndefined, type TemplateInput } from '../catalog/decode.js';
import type { Channel, TemplateDef } from '../catalog/types.js';
import { templateView } from '../catalog/views.js';

export type TemplateFieldsInput = Partial<Omit<TemplateInput, 'id'>>;
type TemplateParts = Omit<TemplateDef, 'id' | 'accountId'>;

/** The decoder's shape of a template (every key present), for checkTemplate. */
function asInput(t: TemplateParts): TemplateInput {
  return { id: undefined, subject: undefined, html: undefined, text: undefined, title: undefined, url: undefined, image: undefined, ...stripUndefined(t) } as TemplateInput;
}

function toDef(accountId: number, t: TemplateParts): Omit<TemplateDef, 'id'> {
  return stripUndefined({ ...t, accountId }) as Omit<TemplateDef, 'id'>;
}

export async function addTemplate(call: WriteCall<CatalogTx>, input: Omit<TemplateInput, 'id'>) {
  validated(() => checkTemplate({ ...input, id: undefined }));
  const def = toDef(call.catalog.accountId, input);
  const result = await commitChange(call, (_catalog, at) => call.tx.saveTemplate(at, def, call.env.clock.now()));
  return { data: templateView({ ...def, id: writtenId(result) }) };
}

export async function updateTemplate(call: WriteCall<CatalogTx>, input: TemplateFieldsInput & { id: number }) {
  let saved: TemplateDef | undefined;
  await commitChange(call, (catalog, at) => {
    const { id, accountId, ...current } = getTemplate(catalog, input.id);
    const { id: _named, ...patch } = input;
    const merged: TemplateParts = { ...current, ...stripUndefined(patch) };
    validated(() => checkTemplate(asInput(merged)));
    const next = { ...toDef(accountId, merged), id };
    throwFirst(dependentProblems(catalog, withMap(catalog, 'templates', new Map(catalog.templates).set(id, next))));
    saved = next;
    return call.tx.saveTemplate(at, next, call.env.clock.now());
  });
  return { data: templateView(saved as TemplateDef) };
}

export async function readTemplate(call: Call, input: { id: number }) {
  return { data: templateView(getTemplate(call.catalog, input.id)) };
}

export async function listTemplates(call: Call, input: { from_id: number; limit: number; channel?: Channel }) {
  const matches = [...call.catalog.templates.values()].filter((t) => input.channel === undefined || t.channel === input.channel);
  const { page, total } = pageById(matches, input.from_id, input.limit);
  return { data: page.map(templateView), total_count: total };
}

/** Deletes a template that no trigger's content names. */
export async function deleteTemplate(call: WriteCall<CatalogTx>, input: { id: number }) {
  await commitChange(call, (catalog, at) => {
    getTemplate(catalog, input.id);
    const users = [...catalog.triggers.values()].filter((t) => t.content.some((c) => c.message_id === input.id)).map(describeTrigger);
    if (users.length > 0) throw inUse(`template ${input.id}`, users);
    return call.tx.deleteTemplate(at, input.id);
  });
  return {};
}
