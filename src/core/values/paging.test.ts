import { describe, expect, it } from 'vitest';
import { decodeReason as reason } from '../../../test/helpers/decode-reason.js';
import { PLAIN_WIRE } from './wire.js';
import { iso, limitSchema, MAX_LIMIT, timeSchema } from './paging.js';

const ctx = { wire: PLAIN_WIRE };

describe('paging parameters', () => {
  it('limit: positive, clamped to the maximum', () => {
    expect(limitSchema.decode(5, ctx)).toBe(5);
    expect(limitSchema.decode(String(MAX_LIMIT + 1), ctx)).toBe(MAX_LIMIT);
    expect(reason(() => limitSchema.decode(0, ctx))).toBe('must be positive, got 0');
  });

  it('from_time: Unix seconds (number or digits) or an RFC 3339 time, in milliseconds', () => {
    expect(timeSchema.decode(1_700_000_000, ctx)).toBe(1_700_000_000_000);
    expect(timeSchema.decode('1700000000', ctx)).toBe(1_700_000_000_000);
    expect(timeSchema.decode('2024-01-02T03:04:05Z', ctx)).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(reason(() => timeSchema.decode('yesterday', ctx))).toBe(
      'expected an RFC 3339 time or Unix seconds, got "yesterday"',
    );
    expect(reason(() => timeSchema.decode(true, ctx))).toBe('expected an RFC 3339 time or Unix seconds, got true');
  });

  it('iso: null stays null, milliseconds become RFC 3339', () => {
    expect(iso(null)).toBeNull();
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
