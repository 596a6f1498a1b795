import { describe, expect, it } from 'vitest';
import { ApiError } from '../../core/base/errors.js';
import { encodeXml, parseXmlBody } from './xml.js';

const parse = (s: string) => parseXmlBody(Buffer.from(s));
const failure = (s: string): string => {
  try {
    parse(s);
  } catch (err) {
    if (err instanceof ApiError) return `${err.code} ${err.debug}`;
    throw err;
  }
  return 'parsed';
};

describe('XML bodies', () => {
  it('turns text elements into strings, repeats into arrays, array="true" into one item', () => {
    expect(parse('<xml><trigger_id>96</trigger_id><data><a>1</a></data><data><a>2</a></data></xml>')).toEqual({
      trigger_id: '96',
      data: [{ a: '1' }, { a: '2' }],
    });
    expect(parse(`<xml><subscriptions array='true'><channel>email</channel></subscriptions></xml>`)).toEqual({
      subscriptions: [{ channel: 'email' }],
    });
    expect(parse('<xml><phones array="true">+79000000000</phones></xml>')).toEqual({ phones: ['+79000000000'] });
    expect(parse('<xml><phones array="true"/></xml>')).toEqual({ phones: [] });
    expect(parse('<xml><s array="true"><c>1</c></s><s array="true"><c>2</c></s><s><c>3</c></s></xml>')).toEqual({
      s: [{ c: '1' }, { c: '2' }, { c: '3' }],
    });
    expect(parse('<xml><a/><b></b></xml>')).toEqual({ a: '', b: '' });
    expect(
      parse('<?xml version="1.0" encoding="UTF-8"?><xml><toString>x</toString><toString>y</toString></xml>'),
    ).toEqual({ toString: ['x', 'y'] });
  });

  it('keeps values as text (typing is the schema’s job) and decodes the predefined entities', () => {
    expect(parse('<xml><phone>+0012</phone><t>a &amp; b &lt;c&gt;</t><c><![CDATA[<raw>]]></c></xml>')).toEqual({
      phone: '+0012',
      t: 'a & b <c>',
      c: '<raw>',
    });
  });

  it('refuses DOCTYPE, entities, bombs, deep nesting, bad roots, mixed content and prototype names', () => {
    expect(failure('<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><t>&a;</t></xml>')).toMatch(/^400 invalid XML/);
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><t>&lol2;</t></xml>';
    expect(failure(bomb)).toMatch(/^400 /);
    expect(failure('<xml><t>&unknown;</t></xml>')).toMatch(/^400 invalid XML/);
    expect(failure(`<xml>${'<a>'.repeat(40)}x${'</a>'.repeat(40)}</xml>`)).toMatch(/deeper than 32/);
    expect(failure('<root><a>1</a></root>')).toMatch(/root element must be <xml>/);
    expect(failure('<xml><a>text<b>1</b></a></xml>')).toMatch(/mixes text and elements/);
    expect(failure('<xml><__proto__>1</__proto__></xml>')).toMatch(/not allowed/);
    expect(failure('<xml><a>1</b></xml>')).toMatch(/^400 invalid XML/);
    expect(failure('<xml><a>1</a>')).toMatch(/^400 invalid XML/);
    expect(failure('')).toMatch(/^400 /);
  });
});

describe('XML responses', () => {
  it('writes the envelope in order, arrays as repeated elements, empty arrays and null as empty elements', () => {
    expect(
      encodeXml({ error: 0, error_text: 'Successful operation', result: [{ profile_id: 'a' }, { profile_id: 'b' }] }),
    ).toBe(
      '<xml><error>0</error><error_text>Successful operation</error_text><result><profile_id>a</profile_id></result><result><profile_id>b</profile_id></result></xml>',
    );
    expect(encodeXml({ error: 0, result: [], data: null, nested: { x: 'a<b&c' }, ok: true })).toBe(
      '<xml><error>0</error><result/><data/><nested><x>a&lt;b&amp;c</x></nested><ok>true</ok></xml>',
    );
  });
});
