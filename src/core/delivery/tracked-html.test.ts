// A template's plan (./tracked-html.ts) gives every email the very HTML that rendering and then
// rewriting (./link-rewrite.ts) gives it: compared over generated templates and values, including
// values that look like markup and templates that have no plan.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { render, type RenderScope } from '../templates/render.js';
import { rewriteHtml, type RewriteOptions } from './link-rewrite.js';
import { planOf, renderPlan } from './tracked-html.js';

const FRAGMENTS = [
  '<a href="https://s.example/a?x=1&amp;y=2">S</a>',
  "<A HREF='http://b.example/p'>B</A>",
  '<a class=z href=https://c.example>C</a>',
  '<a\nhref = "https://d.example/n"\n>D</a>',
  '<a data-herald-notrack href="https://n.example">N</a>',
  '<a href="mailto:x@example.com">M</a>',
  '<a href="#top">T</a>',
  '<a name="x">X</a>',
  '<a href="https://h.example/a b">W</a>',
  '<a href="{unsubscribe}">U</a>',
  "<a href=' {unsubscribe} '>U</a>",
  '<a href="https://p.example/{lead.id}">P</a>',
  '<a title="{lead.name}" href="https://t.example">T</a>',
  '<a href="https://q.example/{unsubscribe}">Q</a>',
  '<a{lead.name}>',
  '</body{lead.name}>',
  '<abbr href="https://q.example">A</abbr>',
  '<a href=https://x.example/</body>',
  '{lead.name}',
  '{lead.id}',
  '{unsubscribe}',
  'hello ',
  '</body>',
  '</BODY >',
  '<body>',
  '<a',
  ' href="https://r.example">',
  'x > y',
  '<p>',
  '\n',
  '<',
  '</',
  '>',
  '<{lead.name}',
  '</{lead.id}',
  'a href="https://y.example">',
];

const VALUES = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    ' data-herald-notrack ',
    '<a href="https://evil.example">',
    ' ',
    '</body>',
    '"',
    "'",
    '>',
    '&amp;',
    'a',
    '/body',
    'body',
    '',
  ),
);

const click = (url: string, i: number) => `https://h.example/t/c/${i}?${encodeURIComponent(url)}`;
const unsubscribe = 'https://h.example/u/tok?a=1&b=2';

describe('the plan of a tracked HTML template', () => {
  it('gives the same HTML as rendering and then rewriting, for every template that has one', () => {
    let planned = 0;
    let unplanned = 0;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 14 }),
        VALUES,
        VALUES,
        fc.boolean(),
        fc.boolean(),
        (fragments, name, id, clicks, opens) => {
          const source = fragments.join('');
          const scope: RenderScope = { lead: { name, id }, subscription: {}, apicontent: {}, unsubscribe };
          const opts: RewriteOptions = {
            keep: unsubscribe,
            ...(clicks ? { clickUrl: click } : {}),
            ...(opens ? { pixelUrl: 'https://h.example/t/o/p' } : {}),
          };
          const plan = planOf(source);
          if (!plan) {
            unplanned++;
            return;
          }
          planned++;
          expect(renderPlan(plan, scope, opts)).toBe(rewriteHtml(render(source, scope, 'html'), opts));
        },
      ),
      { numRuns: 20_000 },
    );
    // Both kinds of templates were generated.
    expect(planned).toBeGreaterThan(300);
    expect(unplanned).toBeGreaterThan(300);
  });

  it('gives the same HTML where a value follows a "<" (it could complete a tag): no plan there', () => {
    const opts: RewriteOptions = { keep: unsubscribe, pixelUrl: 'https://h.example/t/o/p', clickUrl: click };
    const cases: [string, Record<string, unknown>][] = [
      ['<{lead.tag} data-herald-notrack <a href="https://x.example/">X</a>', { tag: 'a' }],
      ['<{lead.tag}a href="https://x.example/">X</a>', {}],
      ['<p>hi</p><{lead.close}>tail</body>', { close: '/body' }],
      ['<p>hi</p></{lead.b}body>x', {}],
    ];
    for (const [source, lead] of cases) {
      const scope: RenderScope = { lead, subscription: {}, apicontent: {}, unsubscribe };
      expect(planOf(source), source).toBeNull();
      const plan = planOf(source.replace(/\{lead\.\w+\}/, 'a'));
      const fixed: RenderScope = { ...scope, lead: {} };
      if (plan)
        expect(renderPlan(plan, fixed, opts)).toBe(
          rewriteHtml(render(source.replace(/\{lead\.\w+\}/, 'a'), fixed, 'html'), opts),
        );
    }
  });

  it('plans the templates whose links are in their text, and not the personalised ones', () => {
    expect(
      planOf('<p>Hi {lead.name}</p><a href="https://a.example">A</a><a href="{unsubscribe}">U</a>'),
    ).not.toBeNull();
    expect(planOf('<a href="https://a.example/{lead.id}">A</a>')).toBeNull();
    expect(planOf('<a title="{lead.name}" href="https://a.example">A</a>')).toBeNull();
  });
});
