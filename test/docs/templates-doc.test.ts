// docs/TEMPLATES.md is the template language's reference: it lists every namespace, system field,
// subscription key and template part the code knows, and each refusal it shows is the one the code
// answers, word for word.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SYSTEM_FIELD_KINDS, READ_ONLY_FIELDS } from '../../src/core/catalog/system-fields.js';
import { PROFILE_ID_VARIABLES, TEMPLATE_TEXTS, templateFieldProblem } from '../../src/core/catalog/template-fields.js';
import { templateProblem } from '../../src/core/templates/check.js';
import { NAMESPACES, SUBSCRIPTION_VARIABLES, UNSUBSCRIBE } from '../../src/core/templates/parse.js';

const doc = readFileSync(new URL('../../docs/TEMPLATES.md', import.meta.url), 'utf8');
const section = (title: string) => {
  const start = doc.indexOf(`\n## ${title}`);
  expect(start, title).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
};

describe('docs/TEMPLATES.md', () => {
  it('names every namespace of message and request templates, and {unsubscribe}', () => {
    for (const ns of [...NAMESPACES.message, ...NAMESPACES.request]) expect(doc, ns).toContain(`\`${ns}\``);
    expect(doc).toContain(`\`{${UNSUBSCRIBE}}\``);
  });

  it('lists every system field, the profile id and the read-only fields that are not variables', () => {
    const lead = section('Variables');
    for (const name of [...Object.keys(SYSTEM_FIELD_KINDS), ...PROFILE_ID_VARIABLES])
      expect(lead, name).toContain(`\`{lead.${name}}\``);
    for (const name of READ_ONLY_FIELDS)
      if (!PROFILE_ID_VARIABLES.includes(name)) expect(lead, name).toContain(`\`${name}\``);
  });

  it('lists every subscription key in its table', () => {
    const variables = section('Variables');
    const table = variables.slice(variables.indexOf('### `{subscription.<key>}`'), variables.indexOf('### How values'));
    const rows = [...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual([...SUBSCRIPTION_VARIABLES]);
  });

  it('names every part of a template that is a template text', () => {
    const where = section('Where templates are used');
    for (const key of TEMPLATE_TEXTS) expect(where, key).toContain(`\`${key}\``);
  });

  it('shows each refusal as the code words it', () => {
    const rows = [
      ...section('What is refused when a template is saved').matchAll(/^\| `([^`]+)`.* \| `text: ([^`]+)` \|$/gm),
    ];
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const [, written, answer] of rows) {
      const said = templateProblem(written) ?? templateFieldProblem({ text: written }, [])?.text;
      expect(said, written).toBe(answer);
    }
  });

  it('has an example template that saves', () => {
    const example = JSON.parse(/```json\n([\s\S]+?)```/.exec(section('Example'))?.[1] ?? '{}') as Record<
      string,
      string
    >;
    for (const key of ['subject', 'html', 'text']) {
      expect(example[key], key).toBeTypeOf('string');
      expect(templateProblem(example[key]), key).toBeUndefined();
      expect(templateFieldProblem({ [key]: example[key] }, []), key).toBeUndefined();
    }
  });
});
