import { describe, expect, it } from 'vitest';
import type { TriggerDef } from '../catalog/types.js';
import type { SubscriptionState } from '../profiles/profile-state.js';
import { chooseRecipients } from './recipients.js';

const trigger = (over: Partial<TriggerDef> = {}): TriggerDef => ({
  id: 96,
  accountId: 1,
  name: 't',
  description: '',
  subid: '',
  uiTags: [],
  isActive: true,
  triggerType: 'api_call',
  sendChannel: 'email',
  resourceId: 21,
  listId: 1,
  skipMinutes: 0,
  content: [],
  pushSendingMode: 'fanout',
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

let n = 0;
const sub = (address: string, over: Partial<SubscriptionState> = {}): SubscriptionState => ({
  resourceId: 21,
  channel: 'email',
  address,
  status: 0,
  priority: 0,
  createdAt: 0,
  updatedAt: n++,
  stored: true,
  dirty: false,
  ...over,
});

const addresses = (r: ReturnType<typeof chooseRecipients>): string[] | string =>
  'skipReason' in r ? r.skipReason : r.subscriptions.map((s) => s.address);

describe('chooseRecipients', () => {
  it('skips with the reason when no subscribed subscription of the channel is on the resource', () => {
    const subs = [
      sub('a@x.test', { status: 1 }),
      sub('b@x.test', { resourceId: 22 }),
      sub('+79000000000', { channel: 'sms' }),
    ];
    expect(addresses(chooseRecipients(subs, trigger(), {}))).toBe('no subscribed email subscription on resource 21');
  });

  it('prefers the lowest priority, then the most recently updated, then the lowest address', () => {
    expect(
      addresses(chooseRecipients([sub('a@x.test', { priority: 2 }), sub('b@x.test', { priority: 1 })], trigger(), {})),
    ).toEqual(['b@x.test']);
    expect(
      addresses(
        chooseRecipients([sub('a@x.test', { updatedAt: 5 }), sub('b@x.test', { updatedAt: 9 })], trigger(), {}),
      ),
    ).toEqual(['b@x.test']);
    // Equal priority and time: the address decides, whatever order the subscriptions are held in.
    const tie = [sub('b@x.test', { updatedAt: 7 }), sub('a@x.test', { updatedAt: 7 })];
    expect(addresses(chooseRecipients(tie, trigger(), {}))).toEqual(['a@x.test']);
    expect(addresses(chooseRecipients([...tie].reverse(), trigger(), {}))).toEqual(['a@x.test']);
  });

  it('prefers the address the profile was matched by over priority', () => {
    const subs = [sub('a@x.test', { priority: 0 }), sub('b@x.test', { priority: 5 })];
    expect(
      addresses(chooseRecipients(subs, trigger(), { matched: [{ channel: 'email', address: 'b@x.test' }] })),
    ).toEqual(['b@x.test']);
    // A matched address of another channel, or one without a subscribed subscription, changes nothing.
    expect(
      addresses(
        chooseRecipients(subs, trigger(), {
          matched: [
            { channel: 'sms', address: 'b@x.test' },
            { channel: 'email', address: 'c@x.test' },
          ],
        }),
      ),
    ).toEqual(['a@x.test']);
  });

  it('honours a subscription filter: strict skips without it, not_strict falls back to the preferred one', () => {
    const subs = [sub('a@x.test'), sub('b@x.test', { priority: 3 })];
    expect(addresses(chooseRecipients(subs, trigger(), { filter: { email: 'b@x.test', notStrict: false } }))).toEqual([
      'b@x.test',
    ]);
    expect(addresses(chooseRecipients(subs, trigger(), { filter: { email: 'c@x.test', notStrict: false } }))).toBe(
      'subscription_filter: no subscribed email subscription with that address',
    );
    expect(addresses(chooseRecipients(subs, trigger(), { filter: { email: 'c@x.test', notStrict: true } }))).toEqual([
      'a@x.test',
    ]);
    // The filter wins over the matched address; a filter for another channel is no filter.
    expect(
      addresses(
        chooseRecipients(subs, trigger(), {
          filter: { email: 'b@x.test', notStrict: false },
          matched: [{ channel: 'email', address: 'a@x.test' }],
        }),
      ),
    ).toEqual(['b@x.test']);
    expect(
      addresses(chooseRecipients(subs, trigger(), { filter: { phone: '+79000000000', notStrict: false } })),
    ).toEqual(['a@x.test']);
  });

  it('sends push to every subscribed device (fanout) or to the most recently updated one (last)', () => {
    const push = (address: string, updatedAt: number) => sub(address, { channel: 'push', updatedAt });
    const subs = [push('ios|t1', 3), push('android|t2', 8), push('web|t3', 5), push('old|t4', 9)];
    subs[3].status = 1;
    expect(addresses(chooseRecipients(subs, trigger({ sendChannel: 'push' }), {}))).toEqual([
      'ios|t1',
      'android|t2',
      'web|t3',
    ]);
    expect(addresses(chooseRecipients(subs, trigger({ sendChannel: 'push', pushSendingMode: 'last' }), {}))).toEqual([
      'android|t2',
    ]);
    // `last` with a tie on time: the lowest address.
    const tie = [push('b|1', 4), push('a|1', 4)];
    expect(addresses(chooseRecipients(tie, trigger({ sendChannel: 'push', pushSendingMode: 'last' }), {}))).toEqual([
      'a|1',
    ]);
  });
});
