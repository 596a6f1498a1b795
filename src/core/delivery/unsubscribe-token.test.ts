import { describe, expect, it } from 'vitest';
import { unsubscribeToken, verifyUnsubscribeToken, type UnsubscribeTarget } from './unsubscribe-token.js';

const target: UnsubscribeTarget = {
  accountId: 1,
  dbId: 1,
  profileId: 'a'.repeat(24),
  resourceId: 21,
  channel: 'email',
  address: 'ann@example.com',
  messageId: 7,
};

/** A link of the earlier, readable form for `target` with secret 's', as such links were sent. */
const LEGACY =
  'WzEsMSwiYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhIiwyMSwiZW1haWwiLCJhbm5AZXhhbXBsZS5jb20iLDdd.qez0uQvUE6UEZnsj9n5l_d2y';

/** A link of version 2 (a key derived per link) for `target` with secret 's', as such links were sent. */
const V2 =
  'AoWEnexJpryF73oYrKb7jsVtJzm8zZ3HGFxmAupSIBGzUvZ6jOWHCcQEGjQFRzNSQM2vnpspqxBNZEu0nxEM6rx0gOR64xOKykRT0gM1i2SoK9PPmo7Rj_W66Dc';

describe('unsubscribe tokens', () => {
  it('round-trips with the right secret', () => {
    expect(verifyUnsubscribeToken('s', unsubscribeToken('s', target))).toEqual(target);
    const push = { ...target, channel: 'push' as const, address: `fcm|${'x'.repeat(600)}` };
    expect(verifyUnsubscribeToken('s', unsubscribeToken('s', push))).toEqual(push);
  });

  it('reveal nothing of the subscription: no address or profile id, in the text or decoded', () => {
    const token = unsubscribeToken('s', target);
    const decoded = Buffer.from(token, 'base64url').toString('latin1');
    for (const text of [token, decoded, Buffer.from(token, 'base64').toString('latin1')]) {
      expect(text).not.toContain('ann@example.com');
      expect(text).not.toContain('example');
      expect(text).not.toContain('aaaaaaaa');
    }
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    // Every link is sealed on its own: two links to one subscription share nothing visible.
    expect(unsubscribeToken('s', target)).not.toBe(token);
  });

  it('cannot be forged, extended, truncated or opened with another secret', () => {
    const token = unsubscribeToken('s', target);
    expect(verifyUnsubscribeToken('other', token)).toBeUndefined();
    expect(verifyUnsubscribeToken('s', `${token}x`)).toBeUndefined();
    expect(verifyUnsubscribeToken('s', token.slice(0, -1))).toBeUndefined();
    expect(verifyUnsubscribeToken('s', `${token}.`)).toBeUndefined();
    const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    for (let i = 0; i < token.length; i += 7)
      expect(verifyUnsubscribeToken('s', flip(token, i)), `position ${i}`).toBeUndefined();
    expect(verifyUnsubscribeToken('s', 'garbage')).toBeUndefined();
    expect(verifyUnsubscribeToken('s', '')).toBeUndefined();
    expect(verifyUnsubscribeToken('s', '.')).toBeUndefined();
  });

  it('still honours links of version 2, which cannot be forged either', () => {
    expect(verifyUnsubscribeToken('s', V2)).toEqual(target);
    expect(verifyUnsubscribeToken('other', V2)).toBeUndefined();
    const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    for (let i = 0; i < V2.length; i += 5)
      expect(verifyUnsubscribeToken('s', flip(V2, i)), `position ${i}`).toBeUndefined();
    // The version byte is authenticated: a version 2 link read as version 3 (or back) opens nothing.
    const raw = Buffer.from(V2, 'base64url');
    raw[0] = 3;
    expect(verifyUnsubscribeToken('s', raw.toString('base64url'))).toBeUndefined();
    const now = Buffer.from(unsubscribeToken('s', target), 'base64url');
    expect(now[0]).toBe(3);
    now[0] = 2;
    expect(verifyUnsubscribeToken('s', now.toString('base64url'))).toBeUndefined();
  });

  it('still honours links of the earlier form, which cannot be forged either', () => {
    expect(verifyUnsubscribeToken('s', LEGACY)).toEqual(target);
    expect(verifyUnsubscribeToken('other', LEGACY)).toBeUndefined();
    const [payload, sig] = LEGACY.split('.');
    const elsewhere = Buffer.from(JSON.stringify([1, 1, 'a'.repeat(24), 21, 'email', 'bob@example.com', 7])).toString(
      'base64url',
    );
    expect(verifyUnsubscribeToken('s', `${elsewhere}.${sig}`)).toBeUndefined();
    expect(verifyUnsubscribeToken('s', `${payload}.${sig}x`)).toBeUndefined();
    expect(verifyUnsubscribeToken('s', `${payload}.`)).toBeUndefined();
  });
});
