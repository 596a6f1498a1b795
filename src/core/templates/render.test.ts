import { describe, expect, it } from 'vitest';
import { displayValue, render, type RenderScope } from './render.js';

const scope: RenderScope = {
  lead: { _fname: '<b>Ann</b>', interests: ['a', 'b'], obj: { x: 1 }, _id: 'p1', evil: 'x\r\nBcc: victim@example.com' },
  subscription: { email: 'ann@example.com', email_domain: 'example.com' },
  apicontent: { order: { id: 42 }, page: '{lead._fname}' },
  unsubscribe: 'https://h.example/u/tok',
};

describe('render', () => {
  it('escapes values in HTML only and leaves CSS braces alone', () => {
    expect(render('<style>p { color: red }</style><p>{lead._fname}</p>', scope, 'html')).toBe(
      '<style>p { color: red }</style><p>&lt;b&gt;Ann&lt;/b&gt;</p>',
    );
    expect(render('Hi {lead._fname}', scope, 'text')).toBe('Hi <b>Ann</b>');
  });
  it('renders nested content, tags, objects, missing values and the unsubscribe link', () => {
    expect(
      render(
        '{apicontent.order.id}|{lead.interests}|{lead.obj}|{lead.nothing}|{subscription.email_domain}|{unsubscribe}',
        scope,
        'text',
      ),
    ).toBe('42|a, b|{"x":1}||example.com|https://h.example/u/tok');
  });
  it('never parses a value again and strips CR/LF from headers', () => {
    expect(render('{apicontent.page}', scope, 'text')).toBe('{lead._fname}');
    expect(render('Hello {lead.evil}', scope, 'header')).toBe('Hello x Bcc: victim@example.com');
  });
  it('does not reach through prototypes', () => {
    expect(render('{lead.constructor}{lead.__proto__}{apicontent.toString}', scope, 'text')).toBe('');
  });
});

describe('displayValue', () => {
  it('joins arrays of strings and numbers, and shows any other array as JSON', () => {
    expect(displayValue(['a', 2, 'c'])).toBe('a, 2, c');
    expect(displayValue([1, 2])).toBe('1, 2');
    expect(displayValue(['a', { x: 1 }])).toBe('["a",{"x":1}]');
    expect(displayValue([true, 'a'])).toBe('[true,"a"]');
    expect(displayValue([])).toBe('');
    expect(displayValue({ a: 1 })).toBe('{"a":1}');
    expect(displayValue(3.5)).toBe('3.5');
    expect(displayValue(false)).toBe('false');
  });
});
