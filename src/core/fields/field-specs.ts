// What every profile field is: the system fields of spec 03 and a database's typed custom fields,
// with one decoder per kind that validates and normalises a value.
import { phoneRegionOf, type DatabaseDef, type FieldDef, type FieldType } from '../catalog/types.js';
import { READ_ONLY_FIELDS, SYSTEM_FIELD_KINDS, type SystemFieldKind } from '../catalog/system-fields.js';
import { DecodeError, within } from '../base/errors.js';
import { LIMITS, longerThan } from '../base/limits.js';
import { describe, isPlainObject, toBool, toInt, toNumber, toStr } from '../values/coerce.js';
import { DATE_ENCODINGS, isTimeZone, normalizeDateTime, normalizeEmail, normalizeIp } from '../values/formats.js';
import { normalizePhone } from '../values/phone.js';

export type FieldKind = SystemFieldKind | FieldType;

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  custom: boolean;
  enumValues?: string[];
  /** `phones`: the country whose national numbers are accepted (the database's phone region). */
  phoneRegion?: string;
}

const system: Readonly<Record<string, FieldKind>> = SYSTEM_FIELD_KINDS;

export const SYSTEM_FIELDS: ReadonlyMap<string, FieldSpec> = new Map(
  Object.entries(system).map(([name, kind]) => [name, { name, kind, custom: false }]),
);

export { READ_ONLY_FIELDS };

const specCache = new WeakMap<DatabaseDef, Map<string, FieldSpec>>();

/** Field specs of a database: its custom fields, then the system fields. */
export function fieldSpecs(db: DatabaseDef): Map<string, FieldSpec> {
  let specs = specCache.get(db);
  if (!specs) {
    specs = new Map(SYSTEM_FIELDS);
    const region = phoneRegionOf(db);
    if (region !== undefined)
      specs.set('phones', { name: 'phones', kind: 'phones', custom: false, phoneRegion: region });
    for (const f of db.fields) specs.set(f.name, customSpec(f));
    specCache.set(db, specs);
  }
  return specs;
}

function customSpec(f: FieldDef): FieldSpec {
  return { name: f.name, kind: f.type, custom: true, ...(f.values ? { enumValues: f.values } : {}) };
}

/** Array-valued kinds: a single value is taken as a one-element array. */
export const ARRAY_KINDS: ReadonlySet<FieldKind> = new Set(['phones', 'tags', 'arr_object']);

function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === '') return [];
  return [value];
}

/** A string value (string fields, tags elements), at most LIMITS.stringLength characters. */
export function boundedString(value: unknown, max: number = LIMITS.stringLength): string {
  const s = toStr(value);
  if (longerThan(s, max)) throw new DecodeError(`is longer than ${max} characters`);
  return s;
}

export function uniqueStrings(list: unknown[]): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const s = within(i, () => boundedString(list[i]));
    if (s !== '') seen.add(s);
  }
  return [...seen];
}

/** A phone as given: its length is checked before it is parsed. */
function phoneText(value: unknown): string {
  return boundedString(value, LIMITS.phoneLength);
}

/** An email as given, trimmed: too long is said as such (not as an incorrect address). */
export function emailText(value: unknown): string {
  const s = toStr(value).trim();
  if (longerThan(s, LIMITS.emailLength)) throw new DecodeError(`is longer than ${LIMITS.emailLength} characters`);
  return s;
}

/** One element of an array-valued field (for add/delete). */
export function decodeElement(spec: FieldSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'phones': {
      const e164 = normalizePhone(phoneText(value), spec.phoneRegion);
      if (!e164) throw new DecodeError(`incorrect phone ${describe(value)}`);
      return e164;
    }
    case 'tags':
      return boundedString(value);
    case 'arr_object':
      if (!isPlainObject(value)) throw new DecodeError(`expected an object, got ${describe(value)}`);
      return value;
    default:
      throw new DecodeError(`field '${spec.name}' is not an array`);
  }
}

/** Validates and normalises a plain value for a field. */
export function decodeFieldValue(spec: FieldSpec, value: unknown): unknown {
  switch (spec.kind) {
    case 'email': {
      const email = normalizeEmail(emailText(value));
      if (!email) throw new DecodeError(`incorrect email ${describe(value)}`);
      return email;
    }
    case 'phones': {
      const out: string[] = [];
      for (const p of asList(value)) {
        const e164 = decodeElement(spec, p) as string;
        if (!out.includes(e164)) out.push(e164);
      }
      return out;
    }
    case 'string':
      return boundedString(value);
    // `_bdate` is a date-time like the others: Altcraft's Get profile data page answers it so.
    case 'bdate':
    case 'datetime':
    case 'date': {
      const d = normalizeDateTime(value);
      if (!d) throw new DecodeError(`incorrect date ${describe(value)}, expected ${DATE_ENCODINGS}`);
      return d;
    }
    case 'sex':
      return decodeSex(value);
    case 'ip':
    case 'country':
    case 'tz':
      return decodeCode(spec.kind, value);
    case 'number':
    case 'float':
      return toNumber(value);
    case 'int':
      return toInt(value);
    case 'bool':
      return toBool(value);
    case 'enum':
      return decodeEnum(spec, value);
    case 'tags':
      return uniqueStrings(asList(value));
    case 'object':
      if (!isPlainObject(value)) throw new DecodeError(`expected an object, got ${describe(value)}`);
      return value;
    case 'arr_object':
      return asList(value).map((v) => decodeElement(spec, v));
  }
}

// Altcraft's "List of gender identifications" page: the values each gender may be written as
// (compared without case); 1 and 2 are among them. 0 clears the field.
const MALE = ['male', '1', 'masculine', 'm', 'man', '♂', 'м', 'муж', 'мужск', 'мужской', 'мужчина'];
const FEMALE = ['female', '2', 'fem', 'feminine', 'f', 'woman', 'w', '♀', 'ж', 'жен', 'женск', 'женский', 'женщина'];
const SEX_WORDS: ReadonlyMap<string, string> = new Map([
  ...MALE.map((v) => [v, 'male'] as const),
  ...FEMALE.map((v) => [v, 'female'] as const),
]);

function decodeSex(value: unknown): string | null {
  const s = typeof value === 'number' ? String(value) : toStr(value).trim().toLowerCase();
  const word = SEX_WORDS.get(s);
  if (word) return word;
  if (s === '0') return null;
  throw new DecodeError(
    `incorrect sex ${describe(value)}, expected male, female (or another name of them: M, F, МУЖ, ЖЕН, …), 1, 2 or 0`,
  );
}

function decodeCode(kind: 'ip' | 'country' | 'tz', value: unknown): string {
  const s = toStr(value).trim();
  if (kind === 'ip') {
    const ip = normalizeIp(s);
    if (!ip) throw new DecodeError(`incorrect ip ${describe(value)}`);
    return ip;
  }
  if (kind === 'country') {
    if (!/^[A-Za-z]{2}$/.test(s))
      throw new DecodeError(`incorrect country ${describe(value)}, expected ISO 3166 alpha-2`);
    return s.toUpperCase();
  }
  if (!isTimeZone(s)) throw new DecodeError(`incorrect time zone ${describe(value)}, expected an IANA zone`);
  return s;
}

function decodeEnum(spec: FieldSpec, value: unknown): string {
  const values = spec.enumValues ?? [];
  if (typeof value === 'string' && values.includes(value)) return value;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const word = values[Number(value)];
    if (word !== undefined) return word;
  }
  throw new DecodeError(`incorrect value ${describe(value)}, expected one of ${values.join(', ')} or its position`);
}
