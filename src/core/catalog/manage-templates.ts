// templates/add, update, get, list, delete (spec 05): templates checked as the provisioning file
// checks them (channel parts and the variable grammar of spec 04); a change of channel that would
// leave a trigger sending another channel is refused, and so is deleting a template in use.
import { getTemplate, type AccountContext, type CoreDeps } from '../context.js';
import { commitChange, dependentProblems, describeTrigger, inUse, pageById, throwFirst, validated, withMap, writtenId } from './change.js';
import { checkTemplate, stripUndefined, type TemplateInput } from './decode.js';
import type { Channel, TemplateDef } from './types.js';
import { templateView } from './views.js';

export type TemplateFieldsInput = Partial<Omit<TemplateInput, 'id'>>;
type TemplateParts = Omit<TemplateDef, 'id' | 'accountId'>;

/** The decoder's shape of a template (every key present), for checkTemplate. */
function asInput(t: TemplateParts): TemplateInput {
  return { id: undefined, subject: undefined, html: undefined, text: undefined, title: undefined, url: undefined, image: undefined, ...stripUndefined(t) } as TemplateInput;
}

function toDef(accountId: number, t: TemplateParts): Omit<TemplateDef, 'id'> {
  return stripUndefined({ ...t, accountId }) as Omit<TemplateDef, 'id'>;
}

export async function addTemplate(deps: CoreDeps, ctx: AccountContext, input: Omit<TemplateInput, 'id'>) {
  validated(() => checkTemplate({ ...input, id: undefined }));
  const def = toDef(ctx.catalog.accountId, input);
  const result = await commitChange(deps, ctx, (_catalog, at) => deps.store.saveTemplate(at, def, deps.clock.now()));
  return { data: templateView({ ...def, id: writtenId(result) }) };
}

export async function updateTemplate(deps: CoreDeps, ctx: AccountContext, input: TemplateFieldsInput & { id: number }) {
  let saved: TemplateDef | undefined;
  await commitChange(deps, ctx, (catalog, at) => {
    const { id, accountId, ...current } = getTemplate(catalog, input.id);
    const { id: _named, ...patch } = input;
    const merged: TemplateParts = { ...current, ...stripUndefined(patch) };
    validated(() => checkTemplate(asInput(merged)));
    const next = { ...toDef(accountId, merged), id };
    throwFirst(dependentProblems(catalog, withMap(catalog, 'templates', new Map(catalog.templates).set(id, next))));
    saved = next;
    return deps.store.saveTemplate(at, next, deps.clock.now());
  });
  return { data: templateView(saved as TemplateDef) };
}

export async function readTemplate(_deps: CoreDeps, ctx: AccountContext, input: { id: number }) {
  return { data: templateView(getTemplate(ctx.catalog, input.id)) };
}

export async function listTemplates(_deps: CoreDeps, ctx: AccountContext, input: { from_id: number; limit: number; channel?: Channel }) {
  const matches = [...ctx.catalog.templates.values()].filter((t) => input.channel === undefined || t.channel === input.channel);
  const { page, total } = pageById(matches, input.from_id, input.limit);
  return { data: page.map(templateView), total_count: total };
}

/** Deletes a template that no trigger's content names. */
export async function deleteTemplate(deps: CoreDeps, ctx: AccountContext, input: { id: number }) {
  await commitChange(deps, ctx, (catalog, at) => {
    getTemplate(catalog, input.id);
    const users = [...catalog.triggers.values()].filter((t) => t.content.some((c) => c.message_id === input.id)).map(describeTrigger);
    if (users.length > 0) throw inUse(`template ${input.id}`, users);
    return deps.store.deleteTemplate(at, input.id);
  });
  return {};
}
