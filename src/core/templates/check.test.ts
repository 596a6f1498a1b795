import { describe, expect, it } from 'vitest';
import { templateProblem } from './check.js';

describe('template save checks: near misses are refused, naming them', () => {
  it('refuses a variable left open, at the end or before other text', () => {
    expect(templateProblem('Hi {lead._fname')).toBe(
      'unclosed variable: {lead._fname; a variable is {namespace.path}: letters, digits, _ and dots, closed by }',
    );
    expect(templateProblem('<p>Hi {lead._fname</p>')).toMatch(/^unclosed variable: \{lead\._fname;/);
    expect(templateProblem('Hi {lead.first name}')).toMatch(/^unclosed variable: \{lead\.first;/);
    expect(templateProblem('{unsubscribe link')).toMatch(/^unclosed variable: \{unsubscribe;/);
    expect(templateProblem('{subscription.email')).toMatch(/^unclosed variable: \{subscription\.email;/);
  });

  it('refuses a variable never opened', () => {
    expect(templateProblem('Hi lead._fname}!')).toBe(
      'unopened variable: lead._fname}; a variable starts with {: {lead._fname}',
    );
    expect(templateProblem('<a href="unsubscribe}">')).toMatch(/^unopened variable: unsubscribe\}/);
  });

  it('refuses doubled braces (Mustache, Handlebars, Liquid) and {% tags %}', () => {
    expect(templateProblem('Hi {{lead._fname}}')).toBe(
      'doubled braces: {{lead._fname}}; a variable takes one pair of braces: {lead._fname}',
    );
    expect(templateProblem('Hi {{ lead._fname }}')).toBe(
      'doubled braces: {{ lead._fname }}; a variable takes one pair of braces: {lead._fname}',
    );
    expect(templateProblem('{{#if vip}}Gold{{/if}}')).toBe(
      'doubled braces: {{#if vip}}; a variable takes one pair of braces: {lead._fname}',
    );
    expect(templateProblem('Hi {{{apicontent.html}}}')).toMatch(/^doubled braces: \{\{; /);
    expect(templateProblem('{% if lead %}x{% endif %}')).toBe(
      'not a Herald variable: {% if lead %}; a variable is {namespace.path}, such as {lead._fname}',
    );
  });

  it('refuses spaces inside the braces and says how to write it', () => {
    expect(templateProblem('Hi { lead._fname }')).toBe(
      'spaces inside a variable: { lead._fname }; write {lead._fname}',
    );
    expect(templateProblem('Hi {lead._fname }')).toBe('spaces inside a variable: {lead._fname }; write {lead._fname}');
    expect(templateProblem('{\tunsubscribe\t}')).toBe(
      'spaces inside a variable: {\tunsubscribe\t}; write {unsubscribe}',
    );
  });

  it('leaves CSS, inline JSON, scripts and other braces alone', () => {
    const html = [
      '<style>p { color: red; } @media (max-width:600px){.a{width:100%}}</style>',
      '<script type="application/ld+json">{"@type":"Order","id":{apicontent.order.id},"x":{"y":[{"z":1}]}}</script>',
      'if(x){el.style.display="none"} { color } {name: 1} {} } {',
      'Hi {lead._fname}, {subscription.email} <a href="{unsubscribe}">x</a>',
    ].join('\n');
    expect(templateProblem(html)).toBeUndefined();
    expect(templateProblem('$ {apicontent.price}, ${apicontent.price}')).toBeUndefined();
  });

  it('keeps the shown text short', () => {
    const problem = templateProblem(`{lead.${'a'.repeat(200)}`) ?? '';
    expect(problem).toMatch(/^unclosed variable: \{lead\.a+…;/);
    expect(problem.length).toBeLessThan(160);
  });

  it('applies to request templates too, with their namespaces', () => {
    expect(templateProblem('{"to":"{message.to"}', 'request')).toMatch(/^unclosed variable: \{message\.to;/);
    expect(templateProblem('{"to":"{{message.to}}"}', 'request')).toMatch(
      /^doubled braces: \{\{message\.to\}\}; a variable takes one pair of braces: \{message\.to\}/,
    );
    expect(templateProblem('{"to":"{message.to}","n":{"a":1}}', 'request')).toBeUndefined();
  });

  it('knows the keys of {subscription.*}', () => {
    expect(
      templateProblem(
        '{subscription.email} {subscription.email_domain} {subscription.phone} {subscription.provider} {subscription.subscription_id} {subscription.channel} {subscription.resource_id}',
      ),
    ).toBeUndefined();
    expect(templateProblem('To {subscription.emial}')).toBe(
      'unknown subscription variable: {subscription.emial}; did you mean {subscription.email}?',
    );
    expect(templateProblem('{subscription.email.x}')).toBe(
      'unknown subscription variable: {subscription.email.x}; the keys are email, email_domain, phone, provider, subscription_id, channel, resource_id',
    );
    expect(templateProblem('{"to":"{subscription.phnoe}"}', 'request')).toMatch(
      /^unknown subscription variable: \{subscription\.phnoe\}; did you mean \{subscription\.phone\}\?$/,
    );
  });
});
