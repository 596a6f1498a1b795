// Typed decoders for request parameters: each decodes with the coercion rule of spec 01, reports
// the failing path, and describes itself as JSON Schema (for the OpenAPI document).
// The request's wire policy says what else a value may stand for (XML: every scalar is text, an
// element given once is not yet an array, an empty element is an empty value).
import { DecodeError, within } from '../base/errors.js';
import { longerThan } from '../base/limits.js';
import { describe, isPlainObject, toBool, toInt, toNumber, toObject, toStr } from './coerce.js';
import type { WirePolicy } from './wire.js';

export interface DecodeContext {
  readonly wire: WirePolicy;
}

export type JsonSchema = Record<string, unknown>;

export interface Schema<T> {
  decode(value: unknown, ctx: DecodeContext): T;
  json(): JsonSchema;
}

export const int = (opts: { min?: number; max?: number } = {}): Schema<number> => ({
  decode(value) {
    const n = toInt(value);
    if (opts.min !== undefined && n < opts.min) throw new DecodeError(`must be at least ${opts.min}, got ${n}`);
    if (opts.max !== undefined && n > opts.max) throw new DecodeError(`must be at most ${opts.max}, got ${n}`);
    return n;
  },
  json: () => ({
    type: 'integer',
    ...(opts.min !== undefined ? { minimum: opts.min } : {}),
    ...(opts.max !== undefined ? { maximum: opts.max } : {}),
  }),
});

export const number = (): Schema<number> => ({ decode: (v) => toNumber(v), json: () => ({ type: 'number' }) });
export const bool = (): Schema<boolean> => ({ decode: (v) => toBool(v), json: () => ({ type: 'boolean' }) });

export const str = (opts: { nonEmpty?: boolean; maxLength?: number } = {}): Schema<string> => ({
  decode(value) {
    const s = toStr(value);
    if (opts.nonEmpty && s.trim() === '') throw new DecodeError('must not be empty');
    if (opts.maxLength !== undefined && longerThan(s, opts.maxLength))
      throw new DecodeError(`is longer than ${opts.maxLength} characters`);
    return s;
  },
  json: () => ({ type: 'string', ...(opts.maxLength ? { maxLength: opts.maxLength } : {}) }),
});

export const oneOf = <const V extends string>(values: readonly V[]): Schema<V> => ({
  decode(value) {
    const s = toStr(value);
    if ((values as readonly string[]).includes(s)) return s as V;
    throw new DecodeError(`must be one of ${values.join(', ')}, got ${describe(value)}`);
  },
  json: () => ({ type: 'string', enum: [...values] }),
});

/** Any JSON value, kept as given (content, custom_data). */
export const anyObject = (): Schema<Record<string, unknown>> => ({
  decode(value, ctx) {
    if (ctx.wire.isEmpty(value)) return {};
    return toObject(value);
  },
  json: () => ({ type: 'object', additionalProperties: true }),
});

export const unknownValue = (): Schema<unknown> => ({ decode: (v) => v, json: () => ({}) });

/** `schema`, described with more than it checks (the items of a batch are decoded later, one by one). */
export const describedAs = <T>(schema: Schema<T>, more: JsonSchema): Schema<T> => ({
  decode: (v, ctx) => schema.decode(v, ctx),
  json: () => ({ ...schema.json(), ...more }),
});

/**
 * Marks the JSON Schema of an array that also takes a single value (arrayOf's `single`); the
 * OpenAPI document writes it as "an array, or one item" (a plain JSON Schema has no keyword for it).
 */
export const ONE_OR_MANY = 'x-one-or-many';

export function arrayOf<T>(
  item: Schema<T>,
  opts: { minItems?: number; maxItems?: number; single?: boolean } = {},
): Schema<T[]> {
  return {
    decode(value, ctx) {
      let list: unknown[];
      if (Array.isArray(value)) list = value;
      else if (ctx.wire.isEmpty(value)) list = [];
      else if (ctx.wire.singleIsArray || opts.single) list = [value];
      else throw new DecodeError(`expected an array, got ${describe(value)}`);
      if (opts.minItems !== undefined && list.length < opts.minItems) {
        throw new DecodeError(list.length === 0 ? 'must not be empty' : `needs at least ${opts.minItems} items`);
      }
      if (opts.maxItems !== undefined && list.length > opts.maxItems)
        throw new DecodeError(`has more than ${opts.maxItems} items`);
      const out = new Array<T>(list.length);
      for (let i = 0; i < list.length; i++) out[i] = within(i, () => item.decode(list[i], ctx));
      return out;
    },
    json: () => ({
      type: 'array',
      items: item.json(),
      ...(opts.minItems ? { minItems: opts.minItems } : {}),
      ...(opts.maxItems ? { maxItems: opts.maxItems } : {}),
      ...(opts.single ? { [ONE_OR_MANY]: true } : {}),
    }),
  };
}

/**
 * The items of a batch: an array, or items a large JSON body hands over a part at a time
 * (`partedItems`, made by http/codecs/json.ts), so that only the part being imported is parsed.
 */
export interface ItemList {
  readonly length: number;
  slice(from: number, to: number): unknown[];
}

const PARTED = Symbol('herald parted items');

/** Items parsed on demand; `slice` may throw the request's 400 (the JSON of an item is bad). */
export interface PartedItems extends ItemList {
  readonly [PARTED]: true;
}

export function partedItems(length: number, slice: (from: number, to: number) => unknown[]): PartedItems {
  return { [PARTED]: true, length, slice };
}

export const isPartedItems = (value: unknown): value is PartedItems =>
  typeof value === 'object' && value !== null && (value as Partial<PartedItems>)[PARTED] === true;

/** A batch's items, kept as given (each is decoded later): an array, or parted items. */
export function itemList(opts: { minItems?: number; maxItems?: number }): Schema<ItemList> {
  const array = arrayOf(unknownValue(), opts);
  return {
    decode(value, ctx) {
      if (!isPartedItems(value)) return array.decode(value, ctx);
      if (opts.minItems !== undefined && value.length < opts.minItems)
        throw new DecodeError(value.length === 0 ? 'must not be empty' : `needs at least ${opts.minItems} items`);
      if (opts.maxItems !== undefined && value.length > opts.maxItems)
        throw new DecodeError(`has more than ${opts.maxItems} items`);
      return value;
    },
    json: () => array.json(),
  };
}

export interface Field<T> {
  readonly schema: Schema<T>;
  readonly required: boolean;
  readonly fallback?: T;
  readonly aliases: readonly string[];
  readonly description?: string;
}

export const required = <T>(schema: Schema<T>, opts: { aliases?: string[]; description?: string } = {}): Field<T> => ({
  schema,
  required: true,
  aliases: opts.aliases ?? [],
  ...(opts.description ? { description: opts.description } : {}),
});

export function optional<T>(schema: Schema<T>): Field<T | undefined>;
export function optional<T>(schema: Schema<T>, fallback: T, opts?: { aliases?: string[] }): Field<T>;
export function optional<T>(schema: Schema<T>, fallback: undefined, opts: { aliases?: string[] }): Field<T | undefined>;
export function optional<T>(schema: Schema<T>, fallback?: T, opts: { aliases?: string[] } = {}): Field<T | undefined> {
  return { schema, required: false, aliases: opts.aliases ?? [], ...(fallback !== undefined ? { fallback } : {}) };
}

type Shape = Record<string, Field<unknown>>;
/** What a schema decodes to, or an object of a shape: the TypeScript type of decoded parameters. */
export type Decoded<S extends Shape | Schema<unknown>> =
  S extends Schema<infer T> ? T : S extends Shape ? DecodedShape<S> : never;
type DecodedShape<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export interface ObjectSchema<S extends Shape> extends Schema<DecodedShape<S>> {
  readonly shape: S;
}

/** A field's JSON Schema: its type, its default when it is a plain value, its other accepted names. */
function fieldJson(field: Field<unknown>): JsonSchema {
  const out: JsonSchema = { ...field.schema.json() };
  const notes = [
    field.description,
    field.aliases.length > 0 ? `also accepted as ${field.aliases.join(', ')}` : undefined,
  ].filter(Boolean);
  if (notes.length > 0) out.description = [out.description, ...notes].filter(Boolean).join('; ');
  // The fallback is a decoded value: it is the input's default only where both have one type.
  const f = field.fallback;
  const type =
    typeof f === 'number'
      ? Number.isInteger(f)
        ? ['integer', 'number']
        : ['number']
      : typeof f === 'string' || typeof f === 'boolean'
        ? [typeof f]
        : [];
  if (out.default === undefined && f !== undefined && type.includes(String(out.type))) out.default = f;
  return out;
}

/** An object of known keys; unknown keys are ignored (spec 01: clients send extras). */
export function object<S extends Shape>(shape: S): ObjectSchema<S> {
  const keys = Object.keys(shape);
  return {
    shape,
    decode(value, ctx) {
      const input = ctx.wire.isEmpty(value) ? {} : toObject(value);
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const field = shape[key];
        let raw = input[key];
        let name = key;
        if (raw === undefined) {
          for (const alias of field.aliases) {
            if (input[alias] !== undefined) {
              raw = input[alias];
              name = alias;
              break;
            }
          }
        }
        if (raw === undefined || raw === null) {
          if (field.required) throw new DecodeError('is required', [key]);
          out[key] = field.fallback;
          continue;
        }
        out[key] = within(name, () => field.schema.decode(raw, ctx));
      }
      return out as DecodedShape<S>;
    },
    json() {
      const properties: Record<string, JsonSchema> = {};
      const req: string[] = [];
      for (const key of keys) {
        const field = shape[key];
        properties[key] = fieldJson(field);
        if (field.required) req.push(key);
      }
      return { type: 'object', properties, ...(req.length ? { required: req } : {}) };
    },
  };
}

export { isPlainObject };
