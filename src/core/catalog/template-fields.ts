// The `{lead.X}` variables of a trigger's templates checked against the fields of the trigger's
// database (spec 04, Templates and variables): a variable that is not a field of that database
// would render empty in every message, so it is refused when the template or the trigger is
// saved, naming the variable and the nearest field when one is close.
import { closest, parseTemplate, UNSUBSCRIBE, type TemplatePart } from '../templates/parse.js';
import { SYSTEM_FIELD_KINDS } from './system-fields.js';
import {
  templateChannels,
  type Channel,
  type ChannelSettings,
  type ContentEntry,
  type DatabaseDef,
  type FieldDef,
  type TemplateContent,
  type TemplateDef,
} from './types.js';

/** The parts of a template that are template texts. */
export const TEMPLATE_TEXTS = ['subject', 'html', 'text', 'title', 'url', 'image'] as const;
export type TemplateText = (typeof TEMPLATE_TEXTS)[number];
/** `{lead.*}` names every profile has besides its fields: the profile id. */
export const PROFILE_ID_VARIABLES: readonly string[] = ['_id', 'id'];
const NESTED_TYPES: ReadonlySet<string> = new Set(['object', 'arr_object']);

/** The custom fields a template may use: a database's (`name` says which), or those of every database of an account. */
export interface FieldScope {
  name: string;
  fields: readonly FieldDef[];
}

export const databaseScope = (db: DatabaseDef): FieldScope => ({ name: `database ${db.id}`, fields: db.fields });
export const accountScope = (databases: Iterable<DatabaseDef>): FieldScope => ({
  name: 'any database of the account',
  fields: [...databases].flatMap((db) => db.fields),
});

/** Every name `{lead.<name>}` may take in a template sent with `fields`. */
export function leadNames(fields: readonly FieldDef[]): string[] {
  return [...new Set([...fields.map((f) => f.name), ...Object.keys(SYSTEM_FIELD_KINDS), ...PROFILE_ID_VARIABLES])];
}

function variables(source: string): Extract<TemplatePart, { kind: 'var' }>[] {
  try {
    return parseTemplate(source, 'any').filter((p): p is Extract<TemplatePart, { kind: 'var' }> => p.kind === 'var');
  } catch {
    // A grammar problem is the template's own, reported when it is saved.
    return [];
  }
}

/**
 * The variables a template's texts use, each once in the order they first appear, as written
 * between the braces (`lead._fname`, `apicontent.order.id`, `unsubscribe`): Altcraft's
 * templates/get answers them as `params` when asked with `get_variable`.
 */
export function templateVariableNames(contents: Iterable<TemplateContent>): string[] {
  const names = new Set<string>();
  for (const content of contents)
    for (const part of TEMPLATE_TEXTS) {
      const source = content[part];
      if (source === undefined) continue;
      try {
        for (const p of parseTemplate(source, 'any')) {
          if (p.kind === 'var') names.add(`${p.namespace}.${p.path.join('.')}`);
          else if (p.kind === 'unsubscribe') names.add(UNSUBSCRIBE);
        }
      } catch {
        // A grammar problem is the template's own, reported when it is saved.
      }
    }
  return [...names];
}

/** The first `{lead.*}` variable of `source` that a profile with the fields of `scope` does not have, as text. */
export function leadVariableProblem(source: string, scope: FieldScope): string | undefined {
  for (const v of variables(source)) {
    if (v.namespace !== 'lead') continue;
    const [name, ...deeper] = v.path;
    const token = `{lead.${v.path.join('.')}}`;
    const custom = scope.fields.filter((f) => f.name === name);
    if (custom.length === 0 && !Object.hasOwn(SYSTEM_FIELD_KINDS, name) && !PROFILE_ID_VARIABLES.includes(name)) {
      const near = closest(name, leadNames(scope.fields));
      return `${token} is not a field of ${scope.name}${near ? ` (did you mean {lead.${near}}?)` : ''}`;
    }
    if (deeper.length > 0 && !custom.some((f) => NESTED_TYPES.has(f.type)))
      return `${token}: field ${name} has no parts (only object and arr_object fields do)`;
  }
  return undefined;
}

/**
 * The lead variables of a template that no database of the account has: refused before any
 * trigger uses the template (a trigger then checks them against its own database).
 */
export function templateFieldProblem(
  template: Partial<Record<TemplateText, string>>,
  databases: Iterable<DatabaseDef>,
): { key: TemplateText; text: string } | undefined {
  const scope = accountScope(databases);
  for (const key of TEMPLATE_TEXTS) {
    const source = template[key];
    const text = source === undefined ? undefined : leadVariableProblem(source, scope);
    if (text) return { key, text };
  }
  return undefined;
}

/** templateFieldProblem for every channel of a template. */
export function templateChannelsFieldProblem(
  channels: TemplateDef['channels'],
  databases: Iterable<DatabaseDef>,
): { key: TemplateText; text: string } | undefined {
  const all = [...databases];
  for (const channel of templateChannels({ channels })) {
    const problem = templateFieldProblem(channels[channel] ?? {}, all);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Problems of the lead variables a content entry sends from `db`: its template's texts, and the
 * subject and sender names, the entry's own or else the resource channel's (`channel`).
 */
export function contentFieldProblems(
  entry: ContentEntry,
  template: TemplateDef,
  sends: Channel,
  db: DatabaseDef,
  where: string,
  channel?: ChannelSettings,
): string[] {
  const scope = databaseScope(db);
  const out: string[] = [];
  const content = template.channels[sends] ?? {};
  for (const key of TEMPLATE_TEXTS) {
    const source = content[key];
    if (source === undefined || (key === 'subject' && entry.subject !== undefined)) continue;
    const problem = leadVariableProblem(source, scope);
    if (problem) out.push(`${where}.message_id: template ${template.id} ${key}: ${problem}`);
  }
  for (const key of ['subject', 'from_name', 'replyto_name'] as const) {
    const own = entry[key];
    const inherited = key === 'subject' ? undefined : channel?.[key];
    const problem = leadVariableProblem(own ?? inherited ?? '', scope);
    if (problem)
      out.push(own !== undefined ? `${where}.${key}: ${problem}` : `${where}: the resource's ${key}: ${problem}`);
  }
  return out;
}
