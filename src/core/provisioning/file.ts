// The provisioning file of spec 06: decoded in full, every problem listed with its path, then
// turned into a plan against what the store already holds. Nothing is written here.
import { triggerProblems, resourceProblems } from '../catalog/validate.js';
import {
  checkFieldNames,
  checkHookUrl,
  checkSender,
  databaseSchema,
  decodeTemplate,
  decodeWith,
  hookFilters,
  hookSchema,
  resourceSchema,
  senderSchema,
  stripUndefined,
  templateSchema,
  triggerPatchSchema,
} from '../catalog/decode.js';
import { decodeSenderSettings } from '../catalog/sender-decode.js';
import type {
  Catalog,
  DatabaseDef,
  HookDef,
  ResourceDef,
  SenderDef,
  TemplateDef,
  TriggerDef,
} from '../catalog/types.js';
import { receiptKeyId } from '../catalog/receipt-key.js';
import { templateChannelsFieldProblem } from '../catalog/template-fields.js';
import { DecodeError } from '../base/errors.js';
import { describe, isPlainObject } from '../values/coerce.js';
import { bool, int, number, object, oneOf, optional, required, str } from '../values/schema.js';
import type { AccountPlan, ProvisionPlan, TokenPlan } from './plan.js';
import { hashToken } from './tokens.js';
import type { Ownership } from './store-port.js';
import { ProvisioningError } from '../base/errors.js';

/** Reads a file named by `{"file": …}` (relative to the provisioning file); throws when it cannot. */
export type SecretFileReader = (path: string) => string;

/**
 * Replaces `{"env": "NAME"}` anywhere in the file by that variable's value, and `{"file": "path"}`
 * by that file's text (key files: an FCM service account, an APNs .p8 key).
 */
export function resolveEnvRefs(
  value: unknown,
  env: Record<string, string | undefined>,
  path: string,
  problems: string[],
  readFile?: SecretFileReader,
): unknown {
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvRefs(v, env, `${path}[${i}]`, problems, readFile));
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'env') {
    const name = typeof value.env === 'string' ? value.env : '';
    const resolved = Object.hasOwn(env, name) ? env[name] : undefined;
    if (resolved === undefined) problems.push(`${path}: environment variable ${describe(name)} is not set`);
    return resolved ?? '';
  }
  if (keys.length === 1 && keys[0] === 'file' && typeof value.file === 'string') {
    try {
      if (!readFile) throw new Error('files cannot be read here');
      return readFile(value.file);
    } catch (err) {
      // The reason (no such file, too large), never the contents.
      problems.push(
        `${path}: file ${describe(value.file)} cannot be read: ${err instanceof Error ? err.message.split('\n')[0].slice(0, 120) : 'unknown error'}`,
      );
      return '';
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = resolveEnvRefs(value[k], env, path ? `${path}.${k}` : k, problems, readFile);
  return out;
}

const suppressionListSchema = object({
  id: required(int({ min: 1 })),
  name: required(str({ nonEmpty: true, maxLength: 255 })),
});
export const accountSchema = object({ id: required(int({ min: 1 })), name: required(str({ nonEmpty: true })) });
export const tokenSchema = object({
  token: required(str({ nonEmpty: true })),
  role: optional(oneOf(['read', 'write'] as const), 'write'),
  revoked: optional(bool(), false),
  // Spec 01, Limits and rate: requests per second with a burst (default: one second's worth).
  rate_per_second: optional(number()),
  burst: optional(int({ min: 1 })),
});

function attempt<T>(problems: string[], path: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DecodeError) {
      problems.push(err.toApiError(path).debug);
      return undefined;
    }
    throw err;
  }
}

function list(raw: Record<string, unknown>, key: string, path: string, problems: string[]): unknown[] {
  const v = raw[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problems.push(`${path}.${key}: expected an array, got ${describe(v)}`);
    return [];
  }
  return v;
}

export interface PlanInput {
  file: unknown;
  env: Record<string, string | undefined>;
  ownership: Ownership;
  /** The catalog an existing account has now (objects not in the file are kept). */
  existing: (accountId: number) => Promise<Catalog | undefined>;
  now: number;
  /** Reads `{"file": …}` references; absent, they are problems. */
  readFile?: SecretFileReader;
}

export async function planProvisioning(input: PlanInput): Promise<ProvisionPlan> {
  const problems: string[] = [];
  const file = resolveEnvRefs(input.file, input.env, '', problems, input.readFile);
  if (!isPlainObject(file)) throw new ProvisioningError(['the file must hold an object with "accounts"']);
  const accounts: AccountPlan[] = [];
  const seenAccounts = new Set<number>();
  const seenIds = {
    databases: new Map<number, number>(),
    resources: new Map<number, number>(),
    templates: new Map<number, number>(),
    triggers: new Map<number, number>(),
  };
  for (const [i, rawAccount] of list(file, 'accounts', '', problems).entries()) {
    const path = `accounts[${i}]`;
    if (!isPlainObject(rawAccount)) {
      problems.push(`${path}: expected an object`);
      continue;
    }
    const head = attempt(problems, path, () => decodeWith(accountSchema, rawAccount));
    if (!head) continue;
    if (seenAccounts.has(head.id)) problems.push(`${path}.id: account ${head.id} appears twice`);
    seenAccounts.add(head.id);
    const plan = await planAccount(head, rawAccount, path, input, problems, seenIds);
    accounts.push(plan);
  }
  if (problems.length > 0) throw new ProvisioningError(problems);
  return { accounts };
}

type SeenIds = Record<'databases' | 'resources' | 'templates' | 'triggers', Map<number, number>>;

/** What the sections of an account's plan share: the file's part, the catalog as planned so far, the plan. */
interface Planning {
  accountId: number;
  raw: Record<string, unknown>;
  path: string;
  input: PlanInput;
  problems: string[];
  seen: SeenIds;
  /** The account's catalog as stored. */
  base: Catalog;
  /** The catalog as the file makes it, section by section. */
  catalog: Catalog;
  plan: AccountPlan;
  /** The id is given, of this account or a new one, and not yet used in the file (else a problem is told). */
  owned: (kind: keyof SeenIds, id: number | undefined, where: string) => id is number;
}

/** The check of Planning.owned for one account: an id given, not another account's, not yet used in the file. */
function ownedCheck(
  accountId: number,
  input: PlanInput,
  problems: string[],
  seen: SeenIds,
): (kind: keyof SeenIds, id: number | undefined, where: string) => id is number {
  return (kind, id, where): id is number => {
    if (id === undefined) {
      problems.push(`${where}.id: is required`);
      return false;
    }
    const owner = input.ownership[kind].get(id);
    if (owner !== undefined && owner !== accountId) {
      problems.push(`${where}.id: ${kind.slice(0, -1)} ${id} belongs to another account`);
      return false;
    }
    const inFile = seen[kind].get(id);
    if (inFile !== undefined) {
      problems.push(`${where}.id: ${kind.slice(0, -1)} ${id} appears twice in the file`);
      return false;
    }
    seen[kind].set(id, accountId);
    return true;
  };
}

async function planAccount(
  head: { id: number; name: string },
  raw: Record<string, unknown>,
  path: string,
  input: PlanInput,
  problems: string[],
  seen: SeenIds,
): Promise<AccountPlan> {
  const accountId = head.id;
  const base = (await input.existing(accountId)) ?? emptyCatalog(accountId);
  const catalog: Catalog = {
    ...base,
    databases: new Map(base.databases),
    resources: new Map(base.resources),
    templates: new Map(base.templates),
    triggers: new Map(base.triggers),
    senders: new Map(base.senders),
    hooks: [...base.hooks],
  };
  const plan: AccountPlan = {
    id: accountId,
    name: head.name,
    tokens: [],
    senders: [],
    databases: [],
    resources: [],
    templates: [],
    triggers: [],
    hooks: [],
  };

  const owned = ownedCheck(accountId, input, problems, seen);
  const c: Planning = { accountId, raw, path, input, problems, seen, base, catalog, plan, owned };
  planTokens(c);
  planSenders(c);
  planDatabases(c);
  planTemplates(c);
  planResources(c);
  planTriggers(c);
  planHooks(c);
  planSuppressionLists(c);
  return plan;
}

/** Tokens: hashed, with their rate limits; a token of another account is refused. */
function planTokens(c: Planning): void {
  const { accountId, raw, path, input, problems, plan } = c;
  for (const [i, t] of list(raw, 'tokens', path, problems).entries()) {
    const where = `${path}.tokens[${i}]`;
    const tok = attempt(problems, where, () => {
      const x = decodeWith(tokenSchema, t);
      if (x.rate_per_second !== undefined && !(x.rate_per_second > 0))
        throw new DecodeError(`must be above 0, got ${x.rate_per_second}`, ['rate_per_second']);
      if (x.burst !== undefined && x.rate_per_second === undefined)
        throw new DecodeError('needs rate_per_second', ['burst']);
      return x;
    });
    if (!tok) continue;
    const hash = hashToken(tok.token);
    const owner = input.ownership.tokens.get(hash);
    if (owner !== undefined && owner !== accountId)
      problems.push(`${where}.token: the token belongs to another account`);
    const tp: TokenPlan = { hash, role: tok.role, revoked: tok.revoked };
    if (tok.rate_per_second !== undefined) {
      tp.ratePerSecond = tok.rate_per_second;
      tp.burst = tok.burst ?? Math.max(1, Math.ceil(tok.rate_per_second));
    }
    plan.tokens.push(tp);
  }
}

/** Senders, with the receipt keys that must tell same-named senders of two accounts apart. */
function planSenders(c: Planning): void {
  const { accountId, raw, path, input, problems, catalog, plan } = c;
  for (const [i, s] of list(raw, 'senders', path, problems).entries()) {
    const where = `${path}.senders[${i}]`;
    const sender = attempt(problems, where, () => {
      const d = decodeWith(senderSchema, s);
      checkSender(d);
      return { ...d, settings: decodeSenderSettings(d.type, s as Record<string, unknown>) };
    });
    if (!sender) continue;
    const def: Omit<SenderDef, 'id'> = stripUndefined({
      accountId,
      name: sender.name,
      type: sender.type,
      url: sender.url,
      headers: sender.headers,
      dir: sender.dir,
      ratePerSecond: sender.rate_per_second,
      ...sender.settings,
    }) as Omit<SenderDef, 'id'>;
    if (def.receipt) {
      // Receipts are posted to /receipts/<name>; the key tells same-named senders of two accounts apart.
      const owner = input.ownership.receiptKeys?.get(receiptKeyId(def.name, def.receipt.key));
      if (owner !== undefined && owner !== accountId)
        problems.push(
          `${where}.receipt.key: another account's sender '${def.name}' takes receipts with this key: choose another`,
        );
    }
    plan.senders.push(def);
    catalog.senders.set(def.name, { ...def, id: 0 });
  }
}

/** Databases, with their field names checked. */
function planDatabases(c: Planning): void {
  const { accountId, raw, path, problems, catalog, plan, owned } = c;
  for (const [i, d] of list(raw, 'databases', path, problems).entries()) {
    const where = `${path}.databases[${i}]`;
    const db = attempt(problems, where, () => {
      const x = decodeWith(databaseSchema, d);
      checkFieldNames(x.fields);
      return x;
    });
    if (!db || !owned('databases', db.id, where)) continue;
    const def: DatabaseDef = {
      id: db.id,
      accountId,
      name: db.name,
      description: db.description,
      fields: db.fields,
      ...(db.phone_region ? { phoneRegion: db.phone_region } : {}),
    };
    plan.databases.push(def);
    catalog.databases.set(def.id, def);
  }
}

/** Templates, their fields checked against the databases planned so far. */
function planTemplates(c: Planning): void {
  const { accountId, raw, path, problems, catalog, plan, owned } = c;
  for (const [i, t] of list(raw, 'templates', path, problems).entries()) {
    const where = `${path}.templates[${i}]`;
    // Either form: `channel` with its parts (one channel), or `channels` as Altcraft's templates.
    const tpl = attempt(problems, where, () => {
      const x = decodeTemplate(decodeWith(templateSchema, t));
      const fields = templateChannelsFieldProblem(x.channels, catalog.databases.values());
      if (fields) throw new DecodeError(fields.text, [fields.key]);
      return x;
    });
    if (!tpl || !owned('templates', tpl.id, where)) continue;
    const def = { ...tpl, accountId } as TemplateDef;
    plan.templates.push(def);
    catalog.templates.set(def.id, def);
  }
}

/** Resources, checked once all of them are known. */
function planResources(c: Planning): void {
  const { accountId, raw, path, problems, catalog, plan, owned } = c;
  const resources: [ResourceDef, string][] = [];
  for (const [i, r] of list(raw, 'resources', path, problems).entries()) {
    const where = `${path}.resources[${i}]`;
    const res = attempt(problems, where, () => decodeWith(resourceSchema, r));
    if (!res || !owned('resources', res.id, where)) continue;
    const def: ResourceDef = {
      id: res.id,
      accountId,
      name: res.name,
      dbIds: [...new Set(res.db_ids)],
      channels: res.channels,
    };
    plan.resources.push(def);
    catalog.resources.set(def.id, def);
    resources.push([def, where]);
  }
  for (const [def, where] of resources)
    for (const p of resourceProblems(def, catalog)) problems.push(`${where}: ${p.text}`);
}

/** Triggers, checked once all of them are known, and the stored triggers the file breaks. */
function planTriggers(c: Planning): void {
  const { accountId, raw, path, input, problems, base, catalog, plan, owned } = c;
  const triggers: [TriggerDef, string][] = [];
  for (const [i, t] of list(raw, 'triggers', path, problems).entries()) {
    const where = `${path}.triggers[${i}]`;
    const trig = attempt(problems, where, () => {
      const x = decodeWith(triggerPatchSchema, t);
      for (const key of ['name', 'send_channel', 'trigger_type'] as const)
        if (x[key] === undefined) throw new DecodeError('is required', [key]);
      return x;
    });
    if (!trig || !owned('triggers', trig.id, where)) continue;
    const existing = base.triggers.get(trig.id);
    const def: TriggerDef = {
      id: trig.id,
      accountId,
      name: trig.name ?? '',
      description: trig.description ?? '',
      subid: trig.subid ?? '',
      uiTags: trig.ui_tags ?? [],
      isActive: trig.is_active ?? false,
      triggerType: trig.trigger_type ?? 'api_call',
      sendChannel: existing?.sendChannel ?? trig.send_channel ?? 'email',
      skipMinutes: trig.skip_minutes ?? 0,
      content: trig.content ?? [],
      pushSendingMode: trig.push_sending_mode ?? 'fanout',
      createdAt: existing?.createdAt ?? input.now,
      updatedAt: input.now,
      ...(trig.resource_id !== undefined ? { resourceId: trig.resource_id } : {}),
      ...(trig.list_id !== undefined ? { listId: trig.list_id } : {}),
      ...(trig.track_opens !== undefined ? { trackOpens: trig.track_opens } : {}),
      ...(trig.track_clicks !== undefined ? { trackClicks: trig.track_clicks } : {}),
    };
    plan.triggers.push(def);
    catalog.triggers.set(def.id, def);
    triggers.push([def, where]);
  }
  for (const [def, where] of triggers)
    for (const p of triggerProblems(def, catalog)) problems.push(`${where}: ${p.text}`);
  problems.push(...storedTriggerProblems(base, catalog, new Set(triggers.map(([def]) => def.id)), path));
}

/** Action hooks, with their URLs checked. */
function planHooks(c: Planning): void {
  const { accountId, raw, path, problems, plan } = c;
  for (const [i, h] of list(raw, 'action_hooks', path, problems).entries()) {
    const where = `${path}.action_hooks[${i}]`;
    const hook = attempt(problems, where, () => {
      const x = decodeWith(hookSchema, h);
      checkHookUrl(x.url);
      return x;
    });
    if (!hook) continue;
    const def: Omit<HookDef, 'id'> = {
      accountId,
      url: hook.url,
      filters: hookFilters(hook),
      ...(hook.secret ? { secret: hook.secret } : {}),
    };
    plan.hooks.push(def);
  }
}

/** Suppression lists, each id once. */
function planSuppressionLists(c: Planning): void {
  const { raw, path, problems, plan } = c;
  const lists: { id: number; name: string }[] = [];
  for (const [i, l] of list(raw, 'suppression_lists', path, problems).entries()) {
    const where = `${path}.suppression_lists[${i}]`;
    const decoded = attempt(problems, where, () => decodeWith(suppressionListSchema, l));
    if (!decoded) continue;
    if (lists.some((x) => x.id === decoded.id))
      problems.push(`${where}: suppression list id ${decoded.id} is declared twice`);
    else lists.push(decoded);
  }
  if (lists.length > 0) plan.suppressionLists = lists;
}

/**
 * Problems the file causes to the account's stored triggers it does not list (a template, database
 * or resource it changes under them): only problems a trigger did not already have count.
 */
function storedTriggerProblems(base: Catalog, after: Catalog, inFile: Set<number>, path: string): string[] {
  const out: string[] = [];
  for (const trigger of base.triggers.values()) {
    if (inFile.has(trigger.id)) continue;
    const had = new Set(triggerProblems(trigger, base).map((p) => p.text));
    for (const p of triggerProblems(trigger, after))
      if (!had.has(p.text))
        out.push(`${path}: trigger ${trigger.id} (${trigger.name}) would become invalid: ${p.text}`);
  }
  return out;
}

export function emptyCatalog(accountId: number): Catalog {
  return {
    accountId,
    version: 0,
    databases: new Map(),
    resources: new Map(),
    templates: new Map(),
    triggers: new Map(),
    senders: new Map(),
    hooks: [],
  };
}
