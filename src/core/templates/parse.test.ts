import { describe, expect, it } from 'vitest';
import { parseTemplate, templateProblem } from './parse.js';

describe('template grammar', () => {
  it('parses variables and keeps other braces literal', () => {
    const parts = parseTemplate('<style>p { color: red; }</style>Hi {lead._fname}, {apicontent.order.id} {"a":1} {unsubscribe}');
    expect(parts.filter((p) => p.kind !== 'text')).toEqual([
      { kind: 'var', namespace: 'lead', path: ['_fname'] },
      { kind: 'var', namespace: 'apicontent', path: ['order', 'id'] },
      { kind: 'unsubscribe' },
    ]);
    expect(parts.map((p) => (p.kind === 'text' ? p.text : '#')).join('')).toBe('<style>p { color: red; }</style>Hi #, # {"a":1} #');
  });

  it('refuses unknown namespaces and empty paths, naming the token', () => {
    expect(templateProblem('Hi {leed.name}')).toBe('unknown variable namespace: {leed.name}');
    expect(templateProblem('Hi {lead.}')).toBe('empty variable path: {lead.}');
    expect(templateProblem('Hi {lead}')).toBe('empty variable path: {lead}');
    expect(templateProblem('Hi {lead.a..b}')).toBe('empty variable path: {lead.a..b}');
    expect(templateProblem('Hi {lead.email}')).toBeUndefined();
  });
});
