import { describe, expect, it } from 'vitest';
import { ApiError } from '../../core/base/errors.js';
import { encodeXml, parseXmlBody } from './xml.js';

const parse = (s: string) => parseXmlBody(Buffer.from(s));
/** The refusal of a body, as "code debug", or "parsed". */
const failure = (body: string | Buffer): string => {
  try {
    parseXmlBody(typeof body === 'string' ? Buffer.from(body) : body);
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

describe('XML bodies, the edges', () => {
  it('an element repeated after array="true" ones, and three or more of them, append in order', () => {
    expect(parse('<xml><a>1</a><a>2</a><a>3</a></xml>')).toEqual({ a: ['1', '2', '3'] });
    expect(parse('<xml><a array="true">1</a><a>2</a><a array="true">3</a></xml>')).toEqual({ a: ['1', '2', '3'] });
    expect(parse('<xml><a>1</a><a array="true">2</a></xml>')).toEqual({ a: ['1', '2'] });
    // An array="true" element given empty adds no item; another attribute value is not "true".
    expect(parse('<xml><a array="true">1</a><a array="true"/></xml>')).toEqual({ a: ['1'] });
    expect(parse('<xml><a array="yes">1</a></xml>')).toEqual({ a: '1' });
    expect(parse('<xml><o array="true"><k>v</k></o></xml>')).toEqual({ o: [{ k: 'v' }] });
    expect(parse('<xml><s array="true"><c>1</c></s><s><c>2</c></s></xml>')).toEqual({ s: [{ c: '1' }, { c: '2' }] });
  });

  it('text beside elements is refused only when it is more than whitespace; CDATA is text', () => {
    expect(parse('<xml>\n  <a>\n    <b>1</b>\n  </a>\n</xml>')).toEqual({ a: { b: '1' } });
    expect(parse('<xml><a> x </a><c><![CDATA[ y ]]></c></xml>')).toEqual({ a: ' x ', c: ' y ' });
    expect(failure('<xml><a><![CDATA[t]]><b>1</b></a></xml>')).toBe('400 invalid XML: <a> mixes text and elements');
  });

  it('an empty or text-only <xml> root: no parameters, or refused', () => {
    expect(parse('<xml/>')).toEqual({});
    expect(parse('<xml></xml>')).toEqual({});
    expect(parse('<xml>  </xml>')).toEqual({});
    expect(failure('<xml>abc</xml>')).toBe('400 invalid XML: <xml> must hold parameters');
    expect(failure('<xml array="true"><a>1</a></xml>')).toBe('400 invalid XML: <xml> must hold parameters');
  });

  it('names what is wrong: the root, DOCTYPE, depth, forbidden names, the parser’s own message, not UTF-8', () => {
    expect(failure('<root/>')).toBe('400 invalid XML: the root element must be <xml>, got <root>');
    expect(failure('<!DOCTYPE xml><xml/>')).toBe('400 invalid XML: a DOCTYPE or entity declaration is not allowed');
    expect(failure('<!DOCTYPE xml [<!ENTITY a "b">]><xml><t>&a;</t></xml>')).toBe(
      '400 invalid XML: a DOCTYPE or entity declaration is not allowed',
    );
    expect(failure(`<xml>${'<a>'.repeat(31)}x${'</a>'.repeat(31)}</xml>`)).toBe('parsed');
    expect(failure(`<xml>${'<a>'.repeat(32)}x${'</a>'.repeat(32)}</xml>`)).toBe(
      '400 invalid XML: the body is nested deeper than 32 levels',
    );
    for (const name of ['__proto__', 'constructor', 'prototype'])
      expect(failure(`<xml><d><${name}>1</${name}></d></xml>`)).toBe(
        `400 invalid XML: element <${name}> is not allowed`,
      );
    // The parser's message without its "undefined:" prefix (no file name, no position).
    expect(failure('<xml><a>1</b></xml>')).toMatch(/^400 invalid XML: [a-z]/);
    expect(failure('<xml><a>1</b></xml>')).not.toMatch(/undefined|:\d+:\d+/);
    expect(failure('text')).toMatch(/^400 invalid XML: /);
    expect(failure(Buffer.from([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x78, 0x6d, 0x6c, 0x3e]))).toBe(
      '400 the body is not valid UTF-8',
    );
  });

  it('reads a body that is a view into a larger buffer', () => {
    const whole = Buffer.from('garbage<xml><a>1</a></xml>garbage');
    expect(parseXmlBody(whole.subarray(7, whole.length - 7))).toEqual({ a: '1' });
  });
});

describe('XML responses, the edges', () => {
  it('keys that are no XML names are written as names: "_" for what no name may hold, "_" before a leading digit', () => {
    const names = (key: string): string => {
      // Envelope keys (the top level) are always names; payload keys below them may be anything.
      const xml = encodeXml({ r: { [key]: 1 } });
      return xml.slice('<xml><r><'.length, xml.indexOf('>', '<xml><r><'.length));
    };
    expect(names('plain_Name-1.x')).toBe('plain_Name-1.x');
    expect(names('1st')).toBe('_1st');
    expect(names('-x')).toBe('_-x');
    expect(names('.x')).toBe('_.x');
    expect(names('a b')).toBe('a_b');
    expect(names('a:b')).toBe('a_b');
    expect(names('')).toBe('_');
    expect(names(' ')).toBe('_');
    expect(names('$')).toBe('_');
    expect(names('имя')).toBe('имя');
    expect(names('név')).toBe('név');
    expect(names('日本')).toBe('日本');
    expect(names('a٣')).toBe('a٣'); // an Arabic-Indic digit after the first character
    expect(names('٣a')).toBe('_٣a'); // … but not first
    expect(names('é́')).toBe('é́'); // a combining mark after a letter
    expect(names('\u0301a')).toBe('_\u0301a'); // … but not first
    expect(names('a\u00b7')).toBe('a_'); // U+00B7 (below U+00C0) is not taken
    expect(names('a😀')).toBe('a_'); // one "_" for a character outside the BMP
    expect(names('½')).toBe('_'); // U+00BD: below U+00C0
    expect(names('À')).toBe('À'); // U+00C0, the first taken
    expect(names('aª')).toBe('a_'); // U+00AA is a letter, but below U+00C0
    expect(names('a1 b')).toBe('a1_b');
  });

  it('text XML cannot carry is written as U+FFFD; tab, LF and CR are kept', () => {
    expect(encodeXml({ t: 'a\u0000b\u0008c\u000bd\u000ce\u001ff\ufffeg\uffffh' })).toBe(
      '<xml><t>a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffdg\ufffdh</t></xml>',
    );
    expect(encodeXml({ t: 'a\tb\nc\rd' })).toBe('<xml><t>a\tb\nc\rd</t></xml>');
    expect(encodeXml({ t: 'x\ud800y\udc00z\ud83d\ude00' })).toBe('<xml><t>x\ufffdy\ufffdz\ud83d\ude00</t></xml>');
    expect(encodeXml({ t: '"quoted" & \'apos\' > <' })).toBe('<xml><t>"quoted" &amp; \'apos\' &gt; &lt;</t></xml>');
  });

  it('nested arrays and objects: items repeated under their key, undefined as an empty element, numbers as text', () => {
    expect(encodeXml({ r: [{ a: [1, 2], b: { c: [] } }], u: undefined, n: 1.5, f: false })).toBe(
      '<xml><r><a>1</a><a>2</a><b><c/></b></r><u/><n>1.5</n><f>false</f></xml>',
    );
    expect(encodeXml({ payload: { '1': 'x', 'a b': [{ 'c d': 'y' }] } })).toBe(
      '<xml><payload><_1>x</_1><a_b><c_d>y</c_d></a_b></payload></xml>',
    );
  });
});
