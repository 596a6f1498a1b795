import { describe, expect, it } from 'vitest';
import { unsubscribeToken, verifyUnsubscribeToken, type UnsubscribeTarget } from './unsubscribe-token.js';

const target: UnsubscribeTarget = { accountId: 1, dbId: 1, profileId: 'a'.repeat(24), resourceId: 21, channel: 'email', address: 'ann@example.com', messageId: 7 };

describe('unsubscribe tokens', () => {
  it('round-trips with the right secret', () => {
    expect(verifyUnsubscribeToken('s', unsubscribeToken('s', target))).toEqual(target);
  });
  it('cannot be forged, extended or pointed elsewhere', () => {
    const token = unsubscribeToken('s', target);
    expect(verifyUnsubscribeToken('other', token)).toBeUndefined();
    expect(verifyUnsubscribeToken('s', `${token}x`)).toBeUndefined();
    expect(verifyUnsubscribeToken('s', token.slice(0, -1))).toBeUndefined();
    const [, sig] = token.split('.');
    const elsewhere = unsubscribeToken('s', { ...target, address: 'bob@example.com' }).split('.')[0];
    expect(verifyUnsubscribeToken('s', `${elsewhere}.${sig}`)).toBeUndefined();
    expect(verifyUnsubscribeToken('s', 'garbage')).toBeUndefined();
    expect(verifyUnsubscribeToken('s', '.')).toBeUndefined();
  });
});
