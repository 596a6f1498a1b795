// The reference in the repository is checked against the code, so it cannot drift: the pages
// generated from the code are current, every HERALD_* variable is in the README's table with its
// default, every sender type and setting is in docs/SENDERS.md, every key of the provisioning
// file in docs/PROVISIONING.md, and the README sends users to pages they have.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config.js';
import { SENDER_SETTINGS } from '../../src/core/catalog/sender-decode.js';
import { senderSchema } from '../../src/core/catalog/decode.js';
import { provisioningSchema } from '../../src/core/provisioning/file-schema.js';
import { GENERATED } from '../../scripts/reference-docs.js';
import { COMMANDS } from '../../src/cli/usage.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** The README table's row naming `name` (rows may name two variables: `A` / `B`). */
function readmeRow(name: string): string | undefined {
  return read('README.md')
    .split('\n')
    .find((l) => l.startsWith('|') && l.split('|')[1]?.includes(`\`${name}\``));
}

describe('generated reference pages', () => {
  it.each(GENERATED.map((g) => [g.file, g]))('%s is what npm run generate:docs writes', (_file, g) => {
    expect(read(g.file), `${g.file} is stale: run npm run generate:docs`).toBe(g.text());
  });
});

describe('HERALD_* variables', () => {
  const read_ = sourceFiles('src').flatMap((f) =>
    [...read(f).matchAll(/(?:\benv\b|process\.env)(?:\.|\[['"])(HERALD_[A-Z0-9_]+)/g)].map((m) => m[1]),
  );
  const variables = [...new Set([...Object.values(CONFIG_KEYS).map((k) => k.env), ...read_])].sort();

  it('finds the variables the code reads (the search works)', () => {
    expect(variables).toEqual(
      expect.arrayContaining(['HERALD_PORT', 'HERALD_MESSAGE_RETENTION_DAYS', 'HERALD_LOG_FORMAT', 'HERALD_TOKEN']),
    );
  });

  it.each(variables)('%s has a row in the README table', (name) => {
    expect(readmeRow(name), `${name} is read by the code but missing from the README table`).toBeDefined();
  });

  // Defaults the table says in words.
  const IN_WORDS: Record<string, string> = {
    HERALD_HOOK_RETRY_WINDOW_MS: 'a day',
    HERALD_OUTBOUND_DENY: 'link-local',
    HERALD_WEBPUSH_HOSTS: 'push services',
    HERALD_SECRET: 'generated once',
  };
  it.each(Object.values(CONFIG_KEYS).map((k) => [k.env, k.fallback]))(
    '%s: the table gives its default',
    (name, fallback) => {
      const row = readmeRow(String(name)) ?? '';
      const expected = IN_WORDS[String(name)] ?? (fallback === undefined ? '—' : `\`${String(fallback)}\``);
      expect(row).toContain(expected);
    },
  );
});

describe('senders', () => {
  const page = read('docs/SENDERS.md');
  /** The section of a type: from its heading to the next heading of the same or a higher level. */
  function section(type: string): string {
    const lines = page.split('\n');
    const start = lines.findIndex((l) => new RegExp(`^#{2,3} ${type}\\b`).test(l));
    if (start < 0) return '';
    const level = lines[start].indexOf(' ');
    const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.indexOf(' ') <= level);
    return lines.slice(start, end < 0 ? undefined : end).join('\n');
  }

  /** `key` in backquotes, or "key" as a JSON example writes it. */
  const names = (key: string) => new RegExp(`[\`"]${key}\\b`);

  it.each(Object.entries(SENDER_SETTINGS))('the %s section documents each of its settings', (type, keys) => {
    const text = section(type);
    expect(text, `docs/SENDERS.md has no section for ${type}`).not.toBe('');
    for (const key of keys) {
      // Receipts work alike for every type that takes them: one section.
      const where = key === 'receipt' ? section('Delivery receipts') : text;
      expect(where, `${type}: setting ${key} is not in docs/SENDERS.md`).toMatch(names(key));
    }
  });

  it('every type is in the table of types, and every common key is on the page', () => {
    for (const type of Object.keys(SENDER_SETTINGS)) expect(page).toContain(`| \`${type}\` |`);
    for (const key of Object.keys(senderSchema.shape)) expect(page).toMatch(names(key));
  });
});

describe('the provisioning file', () => {
  const schema = provisioningSchema();
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);

  it('the schema accepts the demo file and the test fixtures of every kind of sender', () => {
    expect(validate(JSON.parse(read('provision/demo.json'))), JSON.stringify(validate.errors)).toBe(true);
    const env = {
      accounts: [
        {
          id: 1,
          name: 'x',
          senders: [
            { name: 'm', type: 'smtp', url: { env: 'SMTP_URL' } },
            { name: 'f', type: 'file', dir: './out' },
          ],
        },
      ],
    };
    expect(validate(env), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema refuses what apply refuses in shape: no accounts, an unknown sender type, a file sender without dir, a trigger without id', () => {
    expect(validate({})).toBe(false);
    expect(validate({ accounts: [{ id: 1, name: 'x', senders: [{ name: 's', type: 'pigeon' }] }] })).toBe(false);
    expect(validate({ accounts: [{ id: 1, name: 'x', senders: [{ name: 's', type: 'file' }] }] })).toBe(false);
    expect(
      validate({
        accounts: [{ id: 1, name: 'x', triggers: [{ name: 't', trigger_type: 'api_call', send_channel: 'email' }] }],
      }),
    ).toBe(false);
  });

  it('docs/PROVISIONING.md names every key of every object of the schema', () => {
    const page = read('docs/PROVISIONING.md');
    const keys = new Set<string>();
    const walk = (s: unknown): void => {
      if (!s || typeof s !== 'object') return;
      const o = s as Record<string, unknown>;
      if (o.properties && typeof o.properties === 'object') for (const k of Object.keys(o.properties)) keys.add(k);
      for (const v of Object.values(o)) walk(v);
    };
    walk(schema);
    expect(keys.size).toBeGreaterThan(40);
    for (const key of keys)
      expect(page, `docs/PROVISIONING.md does not name ${key}`).toMatch(new RegExp(`[\`"]${key}\\b`));
  });
});

describe('the command line', () => {
  it('every command and token subcommand main.ts runs has its help, and so a section in docs/CLI.md', () => {
    const main = read('src/cli/main.ts');
    const commands = [...main.matchAll(/^ {4}case '([a-z-]+)':/gm)].map((m) => m[1]);
    const subs = [...main.matchAll(/if \(sub === '([a-z-]+)'\)/g)].map((m) => `token ${m[1]}`);
    expect(commands).toEqual(expect.arrayContaining(['serve', 'import']));
    expect(subs).toEqual(expect.arrayContaining(['token list']));
    const documented = COMMANDS.map((c) => c.name);
    for (const c of [...commands.filter((c) => c !== 'token'), ...subs]) {
      expect(documented, `herald ${c} has no help in src/cli/usage.ts`).toContain(c);
      expect(read('docs/CLI.md')).toContain(`## ${c}\n`);
    }
  });

  it("every option main.ts accepts is in some command's help", () => {
    const main = read('src/cli/main.ts') + read('src/cli/import/options.ts');
    const options = [...main.matchAll(/^ {2,8}'?([a-z][a-z-]*)'?: \{ type: '(?:string|boolean)'/gm)].map((m) => m[1]);
    expect(options).toEqual(expect.arrayContaining(['port', 'trigger', 'progress-every', 'version']));
    const help = read('docs/CLI.md');
    for (const o of options) expect(help, `--${o} is not documented`).toContain(`--${o}`);
  });
});

describe('the README', () => {
  it('points to pages in the repository, never to the product spec a user does not have', () => {
    expect(read('README.md')).not.toMatch(/\bspec 0\d/);
    for (const [, page] of read('README.md').matchAll(/`(docs\/[A-Za-z.-]+\.(?:md|json))`/g)) {
      if (page === 'docs/TEMPLATES.md') continue; // written with the template language
      expect(() => statSync(join(ROOT, page)), `${page} does not exist`).not.toThrow();
    }
  });
});
