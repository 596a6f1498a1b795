import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rewriteHtml } from './link-rewrite.js';
import { clickToken, clickTokens, openToken, verifyClickToken, verifyOpenToken } from './tracking-token.js';

const click = (url: string, i: number) => `https://h.example/t/c/${i}?${encodeURIComponent(url)}`;

describe('rewriteHtml', () => {
  it('rewrites http(s) links in every quoting, decoding entities, and numbers them in order', () => {
    const out = rewriteHtml(
      `<a href="https://a.example/?x=1&amp;y=2">A</a><A HREF='http://b.example'>B</A><a class=z href=https://c.example>C</a>`,
      { clickUrl: click },
    );
    expect(out).toBe(
      `<a href="${click('https://a.example/?x=1&y=2', 0).replace(/&/g, '&amp;')}">A</a><A HREF="${click('http://b.example', 1)}">B</A><a class=z href="${click('https://c.example', 2)}">C</a>`,
    );
  });

  it('leaves the unsubscribe link, marked links, other schemes and anchors without href alone', () => {
    const html = `<a href="https://h.example/a b">S</a><a href="https://h.example/u/tok">U</a><a data-herald-notrack href="https://n.example">N</a><a href="mailto:x@example.com">M</a><a href="#top">T</a><a name="x">X</a><abbr href="https://q.example">Q</abbr>`;
    expect(rewriteHtml(html, { clickUrl: click, keep: 'https://h.example/u/tok' })).toBe(html);
  });

  it('adds the pixel before </body>, or at the end', () => {
    expect(rewriteHtml('<html><body><p>x</p></BODY></html>', { pixelUrl: 'https://h.example/t/o/p' })).toBe(
      '<html><body><p>x</p><img src="https://h.example/t/o/p" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px"></BODY></html>',
    );
    expect(rewriteHtml('<p>x</p>', { pixelUrl: 'https://h.example/t/o/p' })).toMatch(
      /^<p>x<\/p><img src="https:\/\/h\.example\/t\/o\/p"/,
    );
    expect(rewriteHtml('<a href="https://a.example">A</a>', {})).toBe('<a href="https://a.example">A</a>');
  });
});

describe('tracking tokens', () => {
  const secret = 'a test secret of some length';
  const target = { accountId: 1, triggerId: 7, messageId: 42 };

  it('open back what they sealed, and nothing readable', () => {
    const c = clickToken(secret, { ...target, link: 3, url: 'https://shop.example/p?u=ann@example.com' });
    expect(verifyClickToken(secret, c)).toEqual({
      ...target,
      link: 3,
      url: 'https://shop.example/p?u=ann@example.com',
    });
    expect(Buffer.from(c, 'base64url').toString('latin1')).not.toMatch(/shop|ann/);
    expect(verifyOpenToken(secret, openToken(secret, target))).toEqual(target);
  });

  it('refuse an altered token, another secret, or a token of the other kind', () => {
    const o = openToken(secret, target);
    const c = clickToken(secret, { ...target, link: 0, url: 'https://a.example' });
    const flipped = c.slice(0, 30) + (c[30] === 'A' ? 'B' : 'A') + c.slice(31);
    expect(verifyClickToken(secret, flipped)).toBeUndefined();
    expect(verifyClickToken(`${secret}x`, c)).toBeUndefined();
    expect(verifyClickToken(secret, o)).toBeUndefined();
    expect(verifyOpenToken(secret, c)).toBeUndefined();
    expect(verifyOpenToken(secret, `${o}=`)).toBeUndefined();
    expect(verifyOpenToken(secret, '')).toBeUndefined();
  });

  it('share the link part among the messages of a trigger, and join it to no other trigger', () => {
    const url = 'https://shop.example/sale';
    const a = clickToken(secret, { ...target, link: 0, url });
    const b = clickTokens(secret, { ...target, messageId: 43 })(0, url);
    const [aMessage, aLink] = a.split('.');
    expect(b.split('.')[1]).toBe(aLink);
    expect(verifyClickToken(secret, b)).toEqual({ ...target, messageId: 43, link: 0, url });
    const other = clickToken(secret, { ...target, triggerId: 8, link: 0, url: 'https://other.example' });
    expect(verifyClickToken(secret, `${aMessage}.${other.split('.')[1]}`)).toBeUndefined();
    expect(verifyClickToken(secret, `${aLink}.${aMessage}`)).toBeUndefined();
    expect(verifyClickToken(secret, `${aMessage}.`)).toBeUndefined();
    expect(verifyClickToken(secret, `${openToken(secret, target)}.${aLink}`)).toBeUndefined();
  });

  it('name a stored link by its id in 18 characters, bound to its account and trigger', () => {
    const url = 'https://shop.example/a-rather-long-path/with/segments?utm_source=mail&utm_medium=email';
    const refOf = (link: number, u: string) => (link === 2 && u === url ? 901 : undefined);
    const c = clickTokens(secret, target, refOf)(2, url);
    const [message, link] = c.split('.');
    expect(link).toHaveLength(18);
    expect(verifyClickToken(secret, c)).toEqual({ ...target, linkId: 901 });
    // A link without a stored id carries its URL, as before.
    expect(verifyClickToken(secret, clickTokens(secret, target, refOf)(3, url))).toEqual({ ...target, link: 3, url });
    // The same id under another trigger's or account's message, another secret, an altered tag or id: nothing.
    const otherTrigger = clickTokens(secret, { ...target, triggerId: 8 }, () => 901)(0, url).split('.')[0];
    const otherAccount = clickTokens(secret, { ...target, accountId: 2 }, () => 901)(0, url).split('.')[0];
    expect(verifyClickToken(secret, `${otherTrigger}.${link}`)).toBeUndefined();
    expect(verifyClickToken(secret, `${otherAccount}.${link}`)).toBeUndefined();
    expect(verifyClickToken(`${secret}x`, c)).toBeUndefined();
    const raw = Buffer.from(link!, 'base64url');
    for (const at of [1, 4, 5, 12]) {
      const altered = Buffer.from(raw);
      altered[at]! ^= 1;
      expect(verifyClickToken(secret, `${message}.${altered.toString('base64url')}`), String(at)).toBeUndefined();
    }
    expect(verifyClickToken(secret, `${message}.${raw.subarray(0, 12).toString('base64url')}`)).toBeUndefined();
    // An id beyond 32 bits gets a link part that carries the URL.
    const big = clickTokens(secret, target, () => 2 ** 32)(0, url);
    expect(verifyClickToken(secret, big)).toEqual({ ...target, link: 0, url });
  });

  it('honour the click tokens of one piece that earlier versions sent', () => {
    // The earlier form: the message, the link and its URL sealed together under the kind "c".
    const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'herald tracking link', 32));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from('c'));
    const sealed = Buffer.concat([cipher.update(JSON.stringify([1, 7, 42, 2, 'https://a.example/x'])), cipher.final()]);
    const token = Buffer.concat([Buffer.of(1), iv, sealed, cipher.getAuthTag()]).toString('base64url');
    expect(verifyClickToken(secret, token)).toEqual({ ...target, link: 2, url: 'https://a.example/x' });
  });

  it('honour open and click tokens of versions 1 and 2, and make version 3', () => {
    // Made by version 1 with the secret 's' for account 1, trigger 2, message 3 (link 0).
    const open1 = 'AVz55vCIGZi66wB2ERrtxbLAGvlT66yVsYBwICrDyfqOM3fX';
    const click1 =
      'Adk3-S9eRIXWhBZR8VqXA9_ipTw-xjnWOXnnxQkvtePYaHyu.AdaOs1EvDlyNMW3pHVVN1Ap7YBtgbQOR8lmVCQuRCkAGaRu0dtd_h6lvtgeuXWS7GC3pxO6pRkSleuUFPmWGoMs';
    // Made by version 2 with the secret 's' for the same message (link 1).
    const open2 = 'AgqzNSVDPCl_sADUCOKbtmiCglOAa9R-063o-b8FNJal5_W40ZfgvZWsVRfK0fXW';
    const click2 =
      'AgqzNSVDPCl_sADUCG6E3nzu6eAwGAbpVDHPhJWYcUryz9-cknyTs_rCrLOnEHhH.AgqzNSVDPCl_sADUCIDg5Qsdr07-9YXndc_04kfWm-YoXczREWe4MUd5VCIe8eu1CJUAmDqBerAUo1z_isnYrGHk3XRDVywywzHd9bI';
    const t = { accountId: 1, triggerId: 2, messageId: 3 };
    expect(verifyOpenToken('s', open1)).toEqual(t);
    expect(verifyClickToken('s', click1)).toEqual({ ...t, link: 0, url: 'https://shop.example/a?b=1' });
    expect(verifyOpenToken('other', open1)).toBeUndefined();
    expect(verifyOpenToken('s', open2)).toEqual(t);
    expect(verifyClickToken('s', click2)).toEqual({ ...t, link: 1, url: 'https://shop.example/b?c=2' });
    expect(verifyClickToken('other', click2)).toBeUndefined();
    // The version byte is authenticated: a version 1 token relabelled 2 (or back) opens nothing.
    const relabel = (token: string, v: number) => {
      const raw = Buffer.from(token, 'base64url');
      raw[0] = v;
      return raw.toString('base64url');
    };
    expect(verifyOpenToken('s', relabel(open1, 2))).toBeUndefined();
    expect(verifyOpenToken('s', relabel(open2, 1))).toBeUndefined();
    // Version 3: 32 characters for the message part, and a link part of 15 bytes more than its URL.
    const open3 = openToken('s', t);
    expect(open3).toHaveLength(32);
    expect(verifyOpenToken('s', open3)).toEqual(t);
    const url = 'https://shop.example/b?c=2';
    const click3 = clickToken('s', { ...t, link: 1, url });
    const [message3, link3] = click3.split('.');
    expect(message3).toHaveLength(32);
    expect(Buffer.from(link3!, 'base64url')).toHaveLength(1 + 12 + 2 + url.length);
    expect(Buffer.from(link3!, 'base64url')[0]).toBe(3);
    expect(verifyClickToken('s', click3)).toEqual({ ...t, link: 1, url });
    // A link part of version 2 joins a message part of version 3 of the same trigger (Herald makes
    // that pair for a link beyond 65,535 positions); a version 3 link part never joins a version 2
    // message part.
    expect(verifyClickToken('s', `${message3}.${click2.split('.')[1]}`)).toEqual({ ...t, link: 1, url });
    expect(verifyClickToken('s', `${click2.split('.')[0]}.${link3}`)).toBeUndefined();
  });

  it('refuse a version 3 token with any one byte changed, cut or lengthened', () => {
    const url = 'https://shop.example/p?u=ann@example.com';
    const click = clickToken(secret, { ...target, link: 4, url });
    const open = openToken(secret, target);
    const variants = (token: string) => {
      const raw = Buffer.from(token, 'base64url');
      const out: string[] = [];
      for (let i = 0; i < raw.length; i++) {
        const b = Buffer.from(raw);
        b[i] = b[i]! ^ 0x01;
        out.push(b.toString('base64url'));
      }
      out.push(raw.subarray(0, raw.length - 1).toString('base64url'));
      out.push(Buffer.concat([raw, Buffer.of(0)]).toString('base64url'));
      return out;
    };
    for (const o of variants(open)) expect(verifyOpenToken(secret, o)).toBeUndefined();
    const [m, l] = click.split('.') as [string, string];
    for (const v of variants(m)) expect(verifyClickToken(secret, `${v}.${l}`)).toBeUndefined();
    for (const v of variants(l)) expect(verifyClickToken(secret, `${m}.${v}`)).toBeUndefined();
    // The URL is not readable in the token.
    expect(Buffer.from(l, 'base64url').toString('latin1')).not.toMatch(/shop|ann/);
  });

  it('make version 2 tokens for ids beyond a block, and open them', () => {
    // An id that is no integer never goes into a block (where it would be cut to one).
    expect(Buffer.from(openToken(secret, { ...target, messageId: 1.5 }), 'base64url')[0]).toBe(2);
    const big = { accountId: 1, triggerId: 7, messageId: 2 ** 50 };
    const open = openToken(secret, big);
    expect(Buffer.from(open, 'base64url')[0]).toBe(2);
    expect(verifyOpenToken(secret, open)).toEqual(big);
    const click = clickToken(secret, { ...big, link: 0, url: 'https://a.example/big' });
    expect(click.split('.').map((p) => Buffer.from(p, 'base64url')[0])).toEqual([2, 2]);
    expect(verifyClickToken(secret, click)).toEqual({ ...big, link: 0, url: 'https://a.example/big' });
    // The same trigger's link in a message of version 3 is a link part of version 3.
    const small = clickToken(secret, { ...big, messageId: 5, link: 0, url: 'https://a.example/big' });
    expect(Buffer.from(small.split('.')[1]!, 'base64url')[0]).toBe(3);
    expect(verifyClickToken(secret, small)).toEqual({ ...big, messageId: 5, link: 0, url: 'https://a.example/big' });
    // A link beyond 65,535 positions: a link part of version 2 beside a message part of version 3.
    const far = clickToken(secret, { ...target, link: 70_000, url: 'https://a.example/far' });
    expect(far.split('.').map((p) => p.length === 32 || Buffer.from(p, 'base64url')[0])).toEqual([true, 2]);
    expect(verifyClickToken(secret, far)).toEqual({ ...target, link: 70_000, url: 'https://a.example/far' });
    const otherTrigger = clickToken(secret, { ...target, triggerId: 8, link: 70_000, url: 'https://a.example/far' });
    expect(verifyClickToken(secret, `${far.split('.')[0]}.${otherTrigger.split('.')[1]}`)).toBeUndefined();
  });

  it('never seal a URL that is not http(s) into a redirect', () => {
    expect(
      verifyClickToken(secret, clickToken(secret, { ...target, link: 0, url: 'javascript:alert(1)' })),
    ).toBeUndefined();
    expect(
      verifyClickToken(
        secret,
        clickToken(secret, { ...target, link: 0, url: 'https://a.example/\r\nSet-Cookie: x=1' }),
      ),
    ).toBeUndefined();
  });
});
