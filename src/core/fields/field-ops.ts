// Functional updates of spec 03: a field takes a plain value (set) or an operator object
// {action, value, submatch}. Operators are checked against the field's kind when decoded,
// so applying them to a profile never fails half-way.
import { DecodeError, within } from '../base/errors.js';
import { describe, isPlainObject, toNumber, toStr } from '../values/coerce.js';
import { ARRAY_KINDS, decodeElement, decodeFieldValue, type FieldSpec } from './field-specs.js';

export type FieldOp =
  | { field: string; action: 'set'; value: unknown }
  | { field: string; action: 'unset' }
  | { field: string; action: 'incr'; value: number; integer: boolean }
  | { field: string; action: 'add' | 'delete'; value: unknown[] }
  | { field: string; action: 'upsert'; value: unknown; submatch: string | Record<string, unknown> };

const ACTIONS = new Set(['set', 'unset', 'incr', 'add', 'delete', 'upsert']);
const OPERATOR_KEYS = new Set(['action', 'value', 'submatch']);

function isOperator(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value) || typeof value.action !== 'string' || !ACTIONS.has(value.action)) return false;
  for (const key of Object.keys(value)) if (!OPERATOR_KEYS.has(key)) return false;
  return true;
}

export function decodeFieldOp(spec: FieldSpec, raw: unknown): FieldOp {
  const field = spec.name;
  if (raw === null) return unsetOp(spec);
  if (!isOperator(raw)) {
    const value = decodeFieldValue(spec, raw);
    return value === null ? { field, action: 'unset' } : { field, action: 'set', value };
  }
  const action = raw.action as string;
  switch (action) {
    case 'set':
      return decodeFieldOp(
        spec,
        within('value', () => required(raw.value)),
      );
    case 'unset':
      return unsetOp(spec);
    case 'incr':
      if (spec.kind !== 'int' && spec.kind !== 'float' && spec.kind !== 'number') {
        throw new DecodeError(`action incr needs an int or float field, '${field}' is ${spec.kind}`);
      }
      return {
        field,
        action: 'incr',
        value: within('value', () =>
          spec.kind === 'int' ? (decodeFieldValue(spec, required(raw.value)) as number) : toNumber(required(raw.value)),
        ),
        integer: spec.kind === 'int',
      };
    case 'add':
    case 'delete': {
      if (!ARRAY_KINDS.has(spec.kind))
        throw new DecodeError(`action ${action} needs a tags or arr_object field, '${field}' is ${spec.kind}`);
      const list = Array.isArray(raw.value) ? raw.value : [required(raw.value)];
      const value = list.map((v, i) => within('value', () => within(i, () => decodeElement(spec, v))));
      return { field, action, value };
    }
    case 'upsert': {
      if (spec.kind !== 'object' && spec.kind !== 'arr_object') {
        throw new DecodeError(`action upsert needs an object or arr_object field, '${field}' is ${spec.kind}`);
      }
      const submatch = raw.submatch;
      if (spec.kind === 'object') {
        const path = within('submatch', () => toStr(required(submatch)));
        if (!/^[^.]+(\.[^.]+)*$/.test(path) || path.split('.').some(isForbiddenKey))
          throw new DecodeError(`incorrect submatch path ${describe(path)}`, ['submatch']);
        return { field, action: 'upsert', value: raw.value ?? null, submatch: path };
      }
      if (!isPlainObject(submatch))
        throw new DecodeError(`expected an object, got ${describe(submatch)}`, ['submatch']);
      if (!isPlainObject(raw.value)) throw new DecodeError(`expected an object, got ${describe(raw.value)}`, ['value']);
      return { field, action: 'upsert', value: raw.value, submatch };
    }
    default:
      throw new DecodeError(`unknown action ${describe(action)}`);
  }
}

function unsetOp(spec: FieldSpec): FieldOp {
  if (spec.name === 'email') throw new DecodeError("field 'email' cannot be unset");
  return { field: spec.name, action: 'unset' };
}

function required(value: unknown): unknown {
  if (value === undefined) throw new DecodeError('is required');
  return value;
}

function isForbiddenKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

/**
 * An increment that leaves the finite range (or, on an int field, the exact integers) stops at
 * its end: a stored number is always finite, and applying an operation never fails half-way.
 */
function saturate(n: number, integer: boolean): number {
  const max = integer ? Number.MAX_SAFE_INTEGER : Number.MAX_VALUE;
  if (n > max) return max;
  if (n < -max) return -max;
  return n;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function matchesSubmatch(element: unknown, submatch: Record<string, unknown>): boolean {
  if (!isPlainObject(element)) return false;
  // The submatch's keys are the client's: an element without `toString` has no such key.
  for (const [k, v] of Object.entries(submatch))
    if (!Object.hasOwn(element, k) || !sameJson(element[k], v)) return false;
  return true;
}

/** Applies one decoded operation to a profile's fields (mutating them). */
export function applyFieldOp(fields: Record<string, unknown>, op: FieldOp): void {
  const current = fields[op.field];
  switch (op.action) {
    case 'set':
      fields[op.field] = op.value;
      return;
    case 'unset':
      delete fields[op.field];
      return;
    case 'incr':
      fields[op.field] = saturate((typeof current === 'number' ? current : 0) + op.value, op.integer);
      return;
    case 'add': {
      const list = Array.isArray(current) ? [...current] : [];
      for (const v of op.value) {
        if (typeof v === 'string' ? !list.includes(v) : true) list.push(v);
      }
      fields[op.field] = list;
      return;
    }
    case 'delete': {
      if (!Array.isArray(current)) return;
      fields[op.field] = current.filter(
        (el) =>
          !op.value.some((v) =>
            typeof v === 'string' ? el === v : sameJson(el, v) || matchesSubmatch(el, v as Record<string, unknown>),
          ),
      );
      return;
    }
    case 'upsert': {
      if (typeof op.submatch === 'string') {
        const root: Record<string, unknown> = isPlainObject(current) ? structuredClone(current) : {};
        const keys = op.submatch.split('.');
        let node = root;
        for (const key of keys.slice(0, -1)) {
          const next = node[key];
          node = node[key] = isPlainObject(next) ? next : {};
        }
        node[keys[keys.length - 1]] = op.value;
        fields[op.field] = root;
        return;
      }
      const list = Array.isArray(current) ? [...current] : [];
      const submatch = op.submatch;
      let replaced = false;
      for (let i = 0; i < list.length; i++) {
        if (matchesSubmatch(list[i], submatch)) {
          list[i] = { ...(list[i] as Record<string, unknown>), ...(op.value as Record<string, unknown>) };
          replaced = true;
        }
      }
      if (!replaced) list.push(op.value);
      fields[op.field] = list;
      return;
    }
  }
}
