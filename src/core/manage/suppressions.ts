// suppresses/* (Altcraft's suppression lists, spec 07): lists of an account — add, update, get,
// list, delete — and their entries: email addresses, email domains and phones, each with a check,
// an add of one, an add of many, a remove and a remove of all. Every list of an account applies
// to all of its sends (the worker skips a message to a listed address with reason `suppressed`).
import { defineMethod } from '../api/define.js';
import type { ReadCall, WriteCall } from '../api/method.js';
import { ApiError, invalid, notFound } from '../base/errors.js';
import {
  SUPPRESSION_KINDS,
  type SuppressionEntryReader,
  type SuppressionKind,
  type SuppressionList,
  type SuppressionReader,
  type SuppressionTx,
} from '../delivery/suppression-port.js';
import { emailKey, normalizeEmail } from '../values/formats.js';
import { arrayJson, boolJson, intJson, noPayload, obj, one, strJson, timeJson, titled } from '../values/json-schema.js';
import { idPagingFields, iso } from '../values/paging.js';
import { normalizePhone } from '../values/phone.js';
import { arrayOf, int, object, oneOf, optional, required, str, type Decoded } from '../values/schema.js';
import { idField } from './change.js';

const MAX_BATCH = 10_000;
const listId = object(idField(['list_id']));
const nameParams = object({ name: required(str({ nonEmpty: true, maxLength: 255 })) });
const updateParams = object({ ...listId.shape, ...nameParams.shape });
const listParams = object(idPagingFields);
const MAX_ENTRIES_PAGE = 1000;
const entriesParams = object({
  ...listId.shape,
  kind: optional(oneOf(SUPPRESSION_KINDS)),
  search: optional(str({ maxLength: 320 })),
  offset: optional(int({ min: 0 }), 0),
  limit: optional(int({ min: 1, max: MAX_ENTRIES_PAGE }), 100),
});

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** The stored form of an entry (emails and domains lower-cased, phones E.164); a bad one is a 400 naming it. */
export function entryValue(kind: SuppressionKind, raw: string): string {
  const text = raw.trim();
  const value =
    kind === 'email'
      ? normalizeEmail(text) !== undefined
        ? emailKey(text)
        : undefined
      : kind === 'domain'
        ? DOMAIN.test(text.toLowerCase())
          ? text.toLowerCase()
          : undefined
        : normalizePhone(text);
  if (value === undefined)
    throw invalid(`${JSON.stringify(raw)} is not a valid ${kind === 'phone' ? 'phone number' : kind}`);
  return value;
}

const listJson = titled(
  'SuppressionList',
  obj({
    id: intJson,
    name: strJson,
    created: timeJson,
    updated: timeJson,
    emails_count: intJson,
    domains_count: intJson,
    phones_count: intJson,
  }),
);

function listView(l: SuppressionList): Record<string, unknown> {
  return {
    id: l.id,
    name: l.name,
    created: iso(l.createdAt),
    updated: iso(l.updatedAt),
    emails_count: l.counts.email,
    domains_count: l.counts.domain,
    phones_count: l.counts.phone,
  };
}

async function ownList(read: SuppressionReader, accountId: number, id: number): Promise<SuppressionList> {
  const list = await read.getSuppressionList(accountId, id);
  if (!list) throw notFound(`suppression list ${id} not found`);
  return list;
}

export async function addList(call: WriteCall<SuppressionTx>, input: Decoded<typeof nameParams>) {
  const id = (await call.tx.saveSuppressionList(
    call.catalog.accountId,
    { name: input.name },
    call.env.clock.now(),
  )) as number;
  return { data: { saved_id: id } };
}

export async function updateList(call: WriteCall<SuppressionTx>, input: Decoded<typeof updateParams>) {
  const id = await call.tx.saveSuppressionList(
    call.catalog.accountId,
    { id: input.id, name: input.name },
    call.env.clock.now(),
  );
  if (id === undefined) throw notFound(`suppression list ${input.id} not found`);
  return { data: { saved_id: id } };
}

export async function getList(call: ReadCall<SuppressionReader>, input: Decoded<typeof listId>) {
  return { data: listView(await ownList(call.read, call.catalog.accountId, input.id)) };
}

export async function listLists(call: ReadCall<SuppressionReader>, input: Decoded<typeof listParams>) {
  return {
    data: (await call.read.listSuppressionLists(call.catalog.accountId, input.from_id, input.limit)).map(listView),
  };
}

export async function deleteList(call: WriteCall<SuppressionTx>, input: Decoded<typeof listId>) {
  if (!(await call.tx.deleteSuppressionList(call.catalog.accountId, input.id)))
    throw notFound(`suppression list ${input.id} not found`);
  return {};
}

/** A list's entries, newest first: of one kind or all, those containing `search` (a Herald extension). */
export async function listEntries(
  call: ReadCall<SuppressionReader & SuppressionEntryReader>,
  input: Decoded<typeof entriesParams>,
) {
  await ownList(call.read, call.catalog.accountId, input.id);
  // Emails and domains are stored lower-cased: so is the search (phones are digits and +).
  const search = input.search?.trim().toLowerCase() || undefined;
  const { rows, total } = await call.read.listSuppressions(input.id, {
    kind: input.kind,
    search,
    offset: input.offset,
    limit: input.limit,
  });
  return {
    data: rows.map((r) => ({ kind: r.kind, value: r.value, created: iso(r.createdAt) })),
    total_count: total,
  };
}

/** The five entry methods of one kind: check, add, add many, remove, remove all. */
// long: five method declarations (check, add, add many, remove, remove all) sharing one kind
function entryMethods(kind: SuppressionKind, one_: string, many: string) {
  const single = object({ ...listId.shape, [one_]: required(str({ nonEmpty: true })) } as {
    id: ReturnType<typeof idField>['id'];
  } & Record<string, ReturnType<typeof required<string>>>);
  const batch = object({
    ...listId.shape,
    [many]: required(arrayOf(str({ nonEmpty: true }), { minItems: 1, maxItems: MAX_BATCH, single: true })),
  } as { id: ReturnType<typeof idField>['id'] } & Record<string, ReturnType<typeof required<string[]>>>);
  const valueOf = (input: Record<string, unknown>) => entryValue(kind, input[one_] as string);
  const dataJson = obj({ data: { type: 'object', additionalProperties: boolJson } });
  return [
    defineMethod({
      name: `suppresses/${one_}_check`,
      // Altcraft's pages document the entry methods as GET or POST.
      get: true,
      summary: `Whether a${kind === 'email' ? 'n email address' : kind === 'domain' ? ' domain' : ' phone number'} is on a suppression list`,
      write: false,
      params: single,
      payload: dataJson,
      handle: async (call: ReadCall<SuppressionReader>, input: Decoded<typeof single>) => {
        await ownList(call.read, call.catalog.accountId, input.id);
        const value = valueOf(input);
        const found = await call.read.suppressedOnList(input.id, kind, [value]);
        return { data: Object.fromEntries([[input[one_] as string, found.has(value)]]) };
      },
    }),
    defineMethod({
      name: `suppresses/${one_}_add`,
      // Altcraft's pages document the entry methods as GET or POST.
      get: true,
      summary: `Add a${kind === 'email' ? 'n email address' : kind === 'domain' ? ' domain' : ' phone number'} to a suppression list`,
      write: true,
      params: single,
      payload: dataJson,
      handle: async (call: WriteCall<SuppressionTx>, input: Decoded<typeof single>) => {
        await ownList(call.tx, call.catalog.accountId, input.id);
        await call.tx.addSuppressions(call.catalog.accountId, input.id, kind, [valueOf(input)], call.env.clock.now());
        return { data: Object.fromEntries([[input[one_] as string, true]]) };
      },
    }),
    defineMethod({
      name: `suppresses/${many}_add`,
      summary: `Add many ${many} to a suppression list (up to ${MAX_BATCH})`,
      write: true,
      params: batch,
      payload: obj({
        total_count: intJson,
        total_duplicated: intJson,
        total_imported: intJson,
        total_updated: intJson,
      }),
      handle: async (call: WriteCall<SuppressionTx>, input: Decoded<typeof batch>) => {
        await ownList(call.tx, call.catalog.accountId, input.id);
        const raw = input[many] as string[];
        const values = [...new Set(raw.map((v, i) => withIndex(many, i, () => entryValue(kind, v))))];
        const imported = await call.tx.addSuppressions(
          call.catalog.accountId,
          input.id,
          kind,
          values,
          call.env.clock.now(),
        );
        return {
          total_count: raw.length,
          total_duplicated: raw.length - imported,
          total_imported: imported,
          total_updated: 0,
        };
      },
    }),
    defineMethod({
      name: `suppresses/${one_}_remove`,
      // Altcraft's pages document the entry methods as GET or POST.
      get: true,
      summary: `Remove a${kind === 'email' ? 'n email address' : kind === 'domain' ? ' domain' : ' phone number'} from a suppression list`,
      write: true,
      params: single,
      payload: noPayload,
      handle: async (call: WriteCall<SuppressionTx>, input: Decoded<typeof single>) => {
        await ownList(call.tx, call.catalog.accountId, input.id);
        await call.tx.removeSuppressions(input.id, kind, [valueOf(input)]);
        return {};
      },
    }),
    defineMethod({
      name: `suppresses/${one_}_clear`,
      summary: `Remove every ${one_} from a suppression list`,
      write: true,
      params: listId,
      payload: noPayload,
      handle: async (call: WriteCall<SuppressionTx>, input: Decoded<typeof listId>) => {
        await ownList(call.tx, call.catalog.accountId, input.id);
        await call.tx.removeSuppressions(input.id, kind, undefined);
        return {};
      },
    }),
  ];
}

function withIndex<T>(field: string, index: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ApiError) throw invalid(`${field}[${index}]: ${err.debug}`);
    throw err;
  }
}

export const suppressionMethods = [
  defineMethod({
    name: 'suppresses/add',
    summary: 'Create a suppression list',
    write: true,
    params: nameParams,
    payload: one(obj({ saved_id: intJson })),
    handle: addList,
  }),
  defineMethod({
    name: 'suppresses/update',
    summary: 'Rename a suppression list',
    write: true,
    params: updateParams,
    payload: one(obj({ saved_id: intJson })),
    handle: updateList,
  }),
  defineMethod({
    name: 'suppresses/get',
    summary: 'One suppression list, with its entry counts',
    write: false,
    params: listId,
    payload: one(listJson),
    handle: getList,
  }),
  defineMethod({
    name: 'suppresses/list',
    summary: "The account's suppression lists, by id",
    write: false,
    params: listParams,
    payload: obj({ data: arrayJson(listJson) }),
    handle: listLists,
  }),
  defineMethod({
    name: 'suppresses/delete',
    summary: 'Delete a suppression list and its entries',
    write: true,
    params: listId,
    payload: noPayload,
    handle: deleteList,
  }),
  defineMethod({
    name: 'suppresses/entries',
    summary:
      "A suppression list's entries, newest first (Herald extension): kind, search (entries containing it), offset, limit",
    write: false,
    params: entriesParams,
    payload: obj({
      data: arrayJson(
        titled(
          'SuppressionEntry',
          obj({ kind: { type: 'string', enum: [...SUPPRESSION_KINDS] }, value: strJson, created: timeJson }),
        ),
      ),
      total_count: intJson,
    }),
    handle: listEntries,
  }),
  ...entryMethods('email', 'email', 'emails'),
  ...entryMethods('domain', 'domain', 'domains'),
  ...entryMethods('phone', 'phone', 'phones'),
];
