import { describe, expect, it } from 'vitest';
import { closest, editDistance, parseTemplate } from './parse.js';
import { templateProblem } from './check.js';

describe('template grammar', () => {
  it('parses variables and keeps other braces literal', () => {
    const parts = parseTemplate(
      '<style>p { color: red; }</style>Hi {lead._fname}, {apicontent.order.id} {"a":1} {unsubscribe}',
    );
    expect(parts.filter((p) => p.kind !== 'text')).toEqual([
      { kind: 'var', namespace: 'lead', path: ['_fname'] },
      { kind: 'var', namespace: 'apicontent', path: ['order', 'id'] },
      { kind: 'unsubscribe' },
    ]);
    expect(parts.map((p) => (p.kind === 'text' ? p.text : '#')).join('')).toBe(
      '<style>p { color: red; }</style>Hi #, # {"a":1} #',
    );
  });

  it('refuses unknown namespaces and empty paths, naming the token', () => {
    expect(templateProblem('Hi {leed.name}')).toBe(
      'unknown variable namespace: {leed.name}; did you mean {lead.name}?',
    );
    expect(templateProblem('Hi {foo.name}')).toBe(
      'unknown variable namespace: {foo.name}; the namespaces are lead, subscription, apicontent',
    );
    expect(templateProblem('{lead.to}', 'request')).toBeUndefined();
    expect(templateProblem('{apicontent.to}', 'request')).toBe(
      'unknown variable namespace: {apicontent.to}; the namespaces are message, subscription, lead',
    );
    expect(templateProblem('Hi {lead.}')).toBe('empty variable path: {lead.}');
    expect(templateProblem('Hi {lead}')).toBe('empty variable path: {lead}');
    expect(templateProblem('Hi {lead.a..b}')).toBe('empty variable path: {lead.a..b}');
    expect(templateProblem('Hi {lead.email}')).toBeUndefined();
  });

  it('renders what was stored before the stricter save checks as it did: only variables are read', () => {
    const parts = parseTemplate('{{lead._fname}} { lead._fname } Hi {lead._fname', 'any');
    expect(parts.filter((p) => p.kind === 'var')).toEqual([{ kind: 'var', namespace: 'lead', path: ['_fname'] }]);
  });
});

describe('closest', () => {
  it('measures edits, a swap of neighbours counting one', () => {
    expect(editDistance('fname', '_fname')).toBe(1);
    expect(editDistance('plna', 'plan')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests only a plausible typo, the nearest first, a difference of case nearest of all', () => {
    expect(closest('fname', ['email', '_fname', '_lname'])).toBe('_fname');
    expect(closest('crm_id', ['CRM_ID', 'crm_ix'])).toBe('CRM_ID');
    expect(closest('plna', ['plan', '_lname'])).toBe('plan');
    expect(closest('plna', ['email', '_fname', '_lname', '_lat'])).toBeUndefined();
    // A one-letter name is not "close" to another one-letter name by one edit: that suggests anything.
    expect(closest('x', ['y', '_id'])).toBeUndefined();
    expect(closest('ab', ['ac'])).toBe('ac');
  });
});
