// The one coercion rule of spec 01, shared by root parameters, item keys, subscription keys,
// system fields and custom fields, in JSON and in XML (where every scalar arrives as text).
import { DecodeError } from '../base/errors.js';

const INT_TEXT = /^-?\d+$/;
const NUMBER_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

export function toInt(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
  } else if (typeof value === 'string' && INT_TEXT.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new DecodeError(`expected an integer, got ${describe(value)}`);
}

/** A finite number: text beyond the range of a double ("1e400") is refused, never Infinity. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) {
    const n = Number(value.trim());
    if (Number.isFinite(n)) return n;
    throw new DecodeError(`expected a finite number, got ${describe(value)} (beyond ±1.7976931348623157e308)`);
  }
  throw new DecodeError(`expected a number, got ${describe(value)}`);
}

export function toBool(value: unknown): boolean {
  switch (value) {
    case true:
    case 'true':
    case 1:
    case '1':
      return true;
    case false:
    case 'false':
    case 0:
    case '0':
      return false;
    default:
      throw new DecodeError(`expected a boolean, got ${describe(value)}`);
  }
}

export function toStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new DecodeError(`expected a string, got ${describe(value)}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toObject(value: unknown): Record<string, unknown> {
  if (isPlainObject(value)) return value;
  throw new DecodeError(`expected an object, got ${describe(value)}`);
}
