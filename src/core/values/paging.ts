// Paging parameters of list methods (spec 01): `limit` defaults to 1000, larger is clamped,
// 0 or less is refused; `from_time` is RFC 3339 or Unix seconds.
import { DecodeError } from '../base/errors.js';
import { parseDateTime } from './formats.js';
import { describe, toInt } from './coerce.js';
import { int, optional, type Schema } from './schema.js';

export const MAX_LIMIT = 1000;

export const limitSchema: Schema<number> = {
  decode(value) {
    const n = toInt(value);
    if (n <= 0) throw new DecodeError(`must be positive, got ${n}`);
    return Math.min(n, MAX_LIMIT);
  },
  json: () => ({
    type: 'integer',
    minimum: 1,
    default: MAX_LIMIT,
    description: `at most ${MAX_LIMIT}; larger values are clamped`,
  }),
};

/** The cursor of list methods that page by id: from `from_id` inclusive, at most `limit`. */
export const idPagingFields = { from_id: optional(int({ min: 0 }), 1), limit: optional(limitSchema, MAX_LIMIT) };

export const timeSchema: Schema<number> = {
  decode(value) {
    if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) return toInt(value) * 1000;
    if (typeof value === 'string') {
      const ms = parseDateTime(value);
      if (ms !== undefined) return ms;
    }
    throw new DecodeError(`expected an RFC 3339 time or Unix seconds, got ${describe(value)}`);
  },
  json: () => ({
    oneOf: [
      { type: 'string', format: 'date-time' },
      { type: 'integer', description: 'Unix seconds' },
    ],
  }),
};

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
