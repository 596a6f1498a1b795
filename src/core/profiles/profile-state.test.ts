// What the import engine derives from a profile: its value rows (what matching and custom_request
// read: email, phones, every custom field but objects; dates and numbers with their number for
// ranges), its match keys of the kinds a batch asks for, and a stored profile's clean state.
import { describe, expect, it } from 'vitest';
import type { DatabaseDef } from '../catalog/types.js';
import { fieldKey, idKey, subscriptionKey } from '../matching/keys.js';
import { copySubscriptionData, fromStored, matchKeys, valueRows, type ProfileState } from './profile-state.js';
import type { StoredProfile } from './store-port.js';

const db = {
  id: 1,
  accountId: 1,
  name: 'Customers',
  description: '',
  fields: [
    { name: 'CRM_ID', type: 'int' },
    { name: 'Score', type: 'float' },
    { name: 'Code', type: 'string' },
    { name: 'Since', type: 'date' },
    { name: 'Vip', type: 'bool' },
    { name: 'Interests', type: 'tags' },
    { name: 'Address', type: 'object' },
    { name: 'Orders', type: 'arr_object' },
  ],
} as DatabaseDef;

describe('value rows', () => {
  it('index email, phones and custom fields; numbers and dates carry their number; objects and other system fields none', () => {
    const rows = valueRows(
      {
        _fname: 'Ann',
        _regdate: '2024-01-02T03:04:05.000Z',
        _bdate: '1990-05-06T00:00:00.000Z',
        email: 'Ann@Example.com',
        phones: ['+79001234567', '+79007654321'],
        CRM_ID: 42,
        Score: 1.5,
        Code: 'A-1',
        Since: '2024-03-01T00:00:00.000Z',
        Vip: true,
        Interests: ['books', 'films'],
        Address: { city: 'Riga' },
        Orders: [{ sku: 1 }],
        Undeclared: 'x',
      },
      db,
    );
    expect(rows).toEqual([
      { field: 'email', value: 'ann@example.com', num: null },
      { field: 'phones', value: '+79001234567', num: null },
      { field: 'phones', value: '+79007654321', num: null },
      { field: 'CRM_ID', value: '42', num: 42 },
      { field: 'Score', value: '1.5', num: 1.5 },
      { field: 'Code', value: 'A-1', num: null },
      { field: 'Since', value: '2024-03-01T00:00:00.000Z', num: Date.parse('2024-03-01T00:00:00.000Z') },
      { field: 'Vip', value: 'true', num: null },
      { field: 'Interests', value: 'books', num: null },
      { field: 'Interests', value: 'films', num: null },
    ]);
  });

  it('a string of a field that is not a date has no number; an empty array no row', () => {
    expect(valueRows({ Code: '2024-03-01T00:00:00.000Z', Interests: [] }, db)).toEqual([
      { field: 'Code', value: '2024-03-01T00:00:00.000Z', num: null },
    ]);
  });
});

const profile = (over: Partial<ProfileState> = {}): ProfileState => ({
  seq: 7,
  order: 7,
  id: 'p7',
  accountId: 1,
  dbId: 1,
  createdAt: 1,
  updatedAt: 1,
  fields: {},
  subscriptions: [
    {
      resourceId: 21,
      channel: 'email',
      address: 'ann@example.com',
      status: 0,
      priority: 0,
      createdAt: 1,
      updatedAt: 1,
      stored: true,
      dirty: false,
    },
    {
      resourceId: 22,
      channel: 'sms',
      address: '+79001234567',
      status: 0,
      priority: 0,
      createdAt: 1,
      updatedAt: 1,
      stored: true,
      dirty: false,
    },
  ],
  stored: true,
  dirty: false,
  storedRows: [],
  ...over,
});

describe('match keys', () => {
  const rows = [
    { field: 'email', value: 'ann@example.com', num: null },
    { field: 'CRM_ID', value: '42', num: 42 },
  ];

  it('only of the kinds asked for', () => {
    const none = { ids: false, fields: new Set<string>(), channels: new Set<'email' | 'sms' | 'push'>() };
    expect(matchKeys(profile(), rows, none)).toEqual([]);
    expect(matchKeys(profile(), rows, { ...none, ids: true })).toEqual([idKey('p7')]);
    expect(matchKeys(profile(), rows, { ...none, fields: new Set(['CRM_ID']) })).toEqual([fieldKey('CRM_ID', '42')]);
    expect(matchKeys(profile(), rows, { ...none, channels: new Set(['sms'] as const) })).toEqual([
      subscriptionKey('sms', 22, '+79001234567'),
      subscriptionKey('sms', '*', '+79001234567'),
    ]);
  });

  it('every kind at once, in the order ids, fields, subscriptions', () => {
    expect(
      matchKeys(profile(), rows, {
        ids: true,
        fields: new Set(['email', 'CRM_ID']),
        channels: new Set(['email', 'sms'] as const),
      }),
    ).toEqual([
      idKey('p7'),
      fieldKey('email', 'ann@example.com'),
      fieldKey('CRM_ID', '42'),
      subscriptionKey('email', 21, 'ann@example.com'),
      subscriptionKey('email', '*', 'ann@example.com'),
      subscriptionKey('sms', 22, '+79001234567'),
      subscriptionKey('sms', '*', '+79001234567'),
    ]);
  });
});

describe('a stored profile as the engine holds it', () => {
  it('is stored and clean, its subscriptions too, with only the data they have', () => {
    const stored: StoredProfile = {
      seq: 3,
      id: 'p3',
      accountId: 1,
      dbId: 1,
      fields: { email: 'ann@example.com' },
      createdAt: 10,
      updatedAt: 20,
      subscriptions: [
        {
          resourceId: 21,
          channel: 'email',
          address: 'ann@example.com',
          status: 1,
          priority: 2,
          createdAt: 10,
          updatedAt: 20,
          data: { email: 'Ann@example.com', cats: ['news'] },
        },
      ],
    };
    expect(fromStored(stored)).toStrictEqual({
      seq: 3,
      order: 3,
      id: 'p3',
      accountId: 1,
      dbId: 1,
      createdAt: 10,
      updatedAt: 20,
      fields: { email: 'ann@example.com' },
      subscriptions: [
        {
          resourceId: 21,
          channel: 'email',
          address: 'ann@example.com',
          status: 1,
          priority: 2,
          createdAt: 10,
          updatedAt: 20,
          stored: true,
          dirty: false,
          email: 'Ann@example.com',
          cats: ['news'],
        },
      ],
      stored: true,
      dirty: false,
      storedRows: [],
    });
  });

  it('copies each piece of subscription data that is there, and no other key', () => {
    const all = {
      email: 'a@b.co',
      phone: '+79001234567',
      provider: 'fcm',
      subscriptionId: 'tok',
      customFields: { a: 1 },
      cats: ['x'],
    };
    expect(copySubscriptionData({}, all)).toStrictEqual(all);
    const copied = copySubscriptionData({}, {});
    expect(Object.keys(copied)).toEqual([]);
  });
});
