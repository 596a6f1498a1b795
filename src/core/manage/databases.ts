// databases/add, update, get, list, delete and fields_get (spec 05): databases with their custom
// field definitions, validated as the provisioning file validates them (decode.ts). Fields may be
// added freely; removing or retyping one (or dropping an enum word) needs an empty database,
// because stored profiles hold values of the old definition.
import { CONFIG_CHANGE, defineMethod } from '../api/define.js';
import type { Call, WriteCall } from '../api/method.js';
import type { CatalogTx } from '../catalog/store-port.js';
import { getDatabase } from '../catalog/lookup.js';
import { invalid } from '../base/errors.js';
import { SYSTEM_FIELDS, READ_ONLY_FIELDS } from '../fields/field-specs.js';
import {
  commitChange,
  dataUsers,
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
import { checkFieldNames, databaseSchema, fieldDefSchema, phoneRegionSchema } from '../catalog/decode.js';
import type { DatabaseDef, FieldDef } from '../catalog/types.js';
import { databaseJson, databaseView } from '../catalog/views.js';
import { arrayJson, boolJson, noPayload, obj, one, idPage, strJson, titled } from '../values/json-schema.js';
import { idPagingFields } from '../values/paging.js';
import { arrayOf, object, optional, str, type Decoded } from '../values/schema.js';

const { id: _id, ...addShape } = databaseSchema.shape;
const databaseId = object(idField(['db_id', 'list_id']));
const addParams = object(addShape);
const updateParams = object({
  ...databaseId.shape,
  name: optional(str({ nonEmpty: true })),
  description: optional(str()),
  fields: optional(arrayOf(fieldDefSchema)),
  phone_region: optional(phoneRegionSchema),
});

export async function addDatabase(call: WriteCall<CatalogTx>, input: Decoded<typeof addParams>) {
  const fields = input.fields ?? [];
  validated(() => checkFieldNames(fields));
  const def = {
    accountId: call.catalog.accountId,
    name: input.name,
    description: input.description ?? '',
    fields,
    ...(input.phone_region ? { phoneRegion: input.phone_region } : {}),
  };
  const result = await commitChange(call, (_catalog, at) =>
    call.tx.saveDatabase(at, def, { requireNoProfiles: false }, call.env.clock.now()),
  );
  return { data: databaseView({ ...def, id: writtenId(result) }) };
}

/** What a new field list breaks for stored values: removed or retyped fields, dropped enum words. */
export function incompatibleFields(before: FieldDef[], after: FieldDef[]): string[] {
  const next = new Map(after.map((f) => [f.name, f]));
  const out: string[] = [];
  for (const f of before) {
    const n = next.get(f.name);
    if (!n) out.push(`field '${f.name}' would be removed`);
    else if (n.type !== f.type) out.push(`field '${f.name}' would change type from ${f.type} to ${n.type}`);
    else if (f.type === 'enum' && (f.values ?? []).some((v) => !(n.values ?? []).includes(v)))
      out.push(`field '${f.name}' would lose enum values`);
  }
  return out;
}

export async function updateDatabase(call: WriteCall<CatalogTx>, input: Decoded<typeof updateParams>) {
  if (input.fields) {
    const fields = input.fields;
    validated(() => checkFieldNames(fields));
  }
  let saved: DatabaseDef | undefined;
  let breaking: string[] = [];
  const result = await commitChange(call, (catalog, at) => {
    const current = getDatabase(catalog, input.id);
    const { phoneRegion: currentRegion, serverPhoneRegion: _server, ...rest } = current;
    const region = input.phone_region === undefined ? currentRegion : input.phone_region || undefined;
    saved = {
      ...rest,
      ...(region !== undefined ? { phoneRegion: region } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.fields !== undefined ? { fields: input.fields } : {}),
    };
    breaking = incompatibleFields(current.fields, saved.fields);
    // A field a trigger's template still uses may not go away.
    throwFirst(
      dependentProblems(catalog, withMap(catalog, 'databases', new Map(catalog.databases).set(saved.id, saved))),
    );
    return call.tx.saveDatabase(at, saved, { requireNoProfiles: breaking.length > 0 }, call.env.clock.now());
  });
  if (result.status === 'in_use')
    throw invalid(`fields: database ${input.id} holds ${dataUsers(result).join(', ')}: ${breaking.join('; ')}`);
  return { data: databaseView(saved as DatabaseDef) };
}

export async function readDatabase(call: Call, input: Decoded<typeof databaseId>) {
  return { data: databaseView(getDatabase(call.catalog, input.id)) };
}

export async function listDatabases(call: Call, input: Decoded<typeof idPagingFields>) {
  const { page, total, next } = pageById([...call.catalog.databases.values()], input.from_id, input.limit);
  return { data: page.map(databaseView), total_count: total, next_from_id: next };
}

/** Deletes a database that no trigger, resource or profile uses. */
export async function deleteDatabase(call: WriteCall<CatalogTx>, input: Decoded<typeof databaseId>) {
  const result = await commitChange(call, (catalog, at) => {
    getDatabase(catalog, input.id);
    const users = [
      ...[...catalog.triggers.values()].filter((t) => t.listId === input.id).map(describeTrigger),
      ...[...catalog.resources.values()]
        .filter((r) => r.dbIds.includes(input.id))
        .map((r) => `resource ${r.id} (${r.name})`),
    ];
    if (users.length > 0) throw inUse(`database ${input.id}`, users);
    return call.tx.deleteDatabase(at, input.id);
  });
  if (result.status === 'in_use') throw inUse(`database ${input.id}`, dataUsers(result));
  return {};
}

/** The API type of each system field kind (spec 03's table). */
const SYSTEM_TYPES: Record<string, string> = {
  email: 'string',
  phones: 'array',
  string: 'string',
  bdate: 'date',
  datetime: 'datetime',
  sex: 'enum',
  ip: 'ip',
  number: 'float',
  country: 'string',
  tz: 'string',
};

const READ_ONLY_TYPES: Record<string, string> = {
  id: 'string',
  db_id: 'int',
  _createtime: 'datetime',
  _updatetime: 'datetime',
  _md5: 'string',
  _emaildomain: 'string',
};

/** A database's fields: the read-only and writable system fields, then its custom fields. */
export async function databaseFields(call: Call, input: Decoded<typeof databaseId>) {
  const db = getDatabase(call.catalog, input.id);
  const system: Record<string, unknown>[] = [...READ_ONLY_FIELDS].map((name) => ({
    name,
    type: READ_ONLY_TYPES[name] ?? 'string',
    system: true,
    read_only: true,
  }));
  for (const spec of SYSTEM_FIELDS.values()) {
    system.push({
      name: spec.name,
      type: SYSTEM_TYPES[spec.kind] ?? spec.kind,
      system: true,
      read_only: false,
      ...(spec.kind === 'sex' ? { values: ['male', 'female'] } : {}),
    });
  }
  const custom = db.fields.map((f) => ({
    name: f.name,
    type: f.type,
    system: false,
    read_only: false,
    ...(f.values ? { values: f.values } : {}),
  }));
  return { data: [...system, ...custom] };
}

/** A field of databases/fields_get. */
const fieldJson = titled(
  'DatabaseField',
  obj({ name: strJson, type: strJson, system: boolJson, read_only: boolJson, values: arrayJson(strJson) }, [
    'name',
    'type',
    'system',
    'read_only',
  ]),
);
export const databaseMethods = [
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'databases/add',
    summary: 'Create a database with its custom fields',
    params: addParams,
    payload: one(databaseJson),
    handle: addDatabase,
  }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'databases/update',
    summary: 'Change a database: fields not sent are kept; fields, when sent, replace the list',
    params: updateParams,
    payload: one(databaseJson),
    handle: updateDatabase,
  }),
  defineMethod({
    name: 'databases/get',
    summary: 'One database',
    write: false,
    params: databaseId,
    payload: one(databaseJson),
    handle: readDatabase,
  }),
  defineMethod({
    name: 'databases/list',
    summary: "The account's databases, by id",
    write: false,
    params: object(idPagingFields),
    payload: idPage(databaseJson),
    handle: listDatabases,
  }),
  defineMethod({
    ...CONFIG_CHANGE,
    name: 'databases/delete',
    summary: 'Delete a database nothing uses',
    params: databaseId,
    payload: noPayload,
    handle: deleteDatabase,
  }),
  defineMethod({
    name: 'databases/fields_get',
    summary: "A database's fields, system and custom, with their types",
    write: false,
    params: databaseId,
    payload: one(arrayJson(fieldJson)),
    handle: databaseFields,
  }),
];
