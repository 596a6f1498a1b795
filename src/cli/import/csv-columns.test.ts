// The CSV header convention of `herald import` (README): fields, `:json` cells, custom_data and
// sub.<channel>.<resource_id>[.<key>] subscription columns.
import { describe, expect, it } from 'vitest';
import { planColumns, rowItem } from './csv-columns.js';
import { RowError } from './errors.js';
import { BatchBuilder } from './batches.js';
import { itemText, type SourceRow } from './source-row.js';

describe('planColumns / rowItem', () => {
  const plan = planColumns([
    ' email ',
    'tags:json',
    'custom_data',
    'sub.email.21',
    'sub.email.21.status',
    'sub.sms.21',
    'sub.push.22',
    'sub.push.22.provider',
    'sub.email.21.cats:json',
  ]);

  it('builds the item of import_and_start_batch, leaving empty cells out', () => {
    expect(
      rowItem(plan, [
        'a@example.com',
        '["x"]',
        '{"k":1}',
        'a@example.com',
        'unsubscribed',
        '',
        'tok',
        'ios-apns',
        '["news"]',
      ]),
    ).toEqual({
      data: {
        email: 'a@example.com',
        tags: ['x'],
        subscriptions: [
          { channel: 'email', resource_id: 21, email: 'a@example.com', status: 'unsubscribed', cats: ['news'] },
          { channel: 'push', resource_id: 22, subscription_id: 'tok', provider: 'ios-apns' },
        ],
      },
      custom_data: { k: 1 },
    });
    // No address, no subscription (its other cells alone make none).
    expect(rowItem(plan, ['b@example.com', '', '', '', '0', '', '', '', ''])).toEqual({
      data: { email: 'b@example.com' },
    });
  });

  it('reports a cell that is not JSON, a custom_data that is not an object, a wrong cell count', () => {
    expect(() => rowItem(plan, ['a@example.com', '[x', '', '', '', '', '', '', ''])).toThrow(
      new RowError('column "tags:json": the cell is not JSON'),
    );
    expect(() => rowItem(plan, ['a@example.com', '', '[1]', '', '', '', '', '', ''])).toThrow(
      'column "custom_data": expected a JSON object',
    );
    expect(() => rowItem(plan, ['a@example.com'])).toThrow('expected 9 cells, got 1');
  });

  it('refuses headers it cannot import', () => {
    expect(() => planColumns(['email', 'email'])).toThrow('column "email" is given twice');
    expect(() => planColumns(['email', ''])).toThrow('column 2 has no name');
    expect(() => planColumns(['__proto__'])).toThrow('may not be named "__proto__"');
    expect(() => planColumns(['sub.email.x'])).toThrow(
      'a subscription column is sub.<email|sms|push>.<resource_id>[.<key>]',
    );
    expect(() => planColumns(['sub.sms.21.email'])).toThrow('"email" is not a key of a sms subscription');
    expect(() => planColumns(['sub.email.21.status'])).toThrow('has no address column sub.email.21');
  });

  it('turns what the API would refuse as a whole request into a row error', () => {
    expect(() => itemText({ data: { email: 'a\u0000' } })).toThrow('the row contains a NUL character');
    expect(() => itemText(JSON.parse('{"data": {"x": {"__proto__": 1}}}'))).toThrow(
      'data.x.__proto__: the key is not allowed',
    );
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(() => itemText({ data: { deep } })).toThrow(/nested deeper than 64 levels/);
    expect(itemText({ data: { email: 'ok\u00e9@example.com' } })).toBe('{"data":{"email":"ok\u00e9@example.com"}}');
  });
});

describe('BatchBuilder', () => {
  const row = (n: number, item?: string): SourceRow => ({
    row: n,
    end: n * 10,
    record: () => null,
    ...(item ? { item } : { error: 'bad' }),
  });

  it('puts the root parameters and the sendable rows in one request body', () => {
    const b = new BatchBuilder({ trigger_id: 96, matching: 'email' }, 3, 1024);
    b.add(row(1, '{"data":{"email":"a@x.io"}}'));
    b.add(row(2));
    b.add(row(3, '{"data":{"email":"b@x.io"}}'));
    expect(b.full).toBe(true);
    const batch = b.take(4);
    expect(JSON.parse(batch.body?.toString() ?? '')).toEqual({
      trigger_id: 96,
      matching: 'email',
      data: [{ data: { email: 'a@x.io' } }, { data: { email: 'b@x.io' } }],
    });
    expect(batch).toMatchObject({ index: 4, end: 30, lastRow: 3 });
    expect(batch.sent.map((r) => r.row)).toEqual([1, 3]);
    expect(b.size).toBe(0);
  });

  it('closes a batch before a row would take it past the byte limit', () => {
    const b = new BatchBuilder({ db_id: 1 }, 100, 50);
    const item = `{"data":{"x":"${'y'.repeat(20)}"}}`;
    b.add(row(1, item));
    expect(b.overflows(row(2, item))).toBe(true);
    expect(b.overflows(row(2))).toBe(false);
    // A batch of rows that cannot be sent has no body.
    const only = new BatchBuilder({ db_id: 1 }, 100, 50);
    only.add(row(1));
    expect(only.take(0).body).toBeUndefined();
  });
});
