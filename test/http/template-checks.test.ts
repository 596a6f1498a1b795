// Templates that cannot embarrass (spec 04, Templates and variables): the typos that would
// reach a customer as literal or empty text — `{lead.fname}`, `{lead.plna}`, `Hi {lead._fname`,
// `{{lead._fname}}`, `{ lead._fname }` — are refused with a 400 naming them, on templates/add,
// templates/update, campaigns/triggers/add and update, databases/update and the provisioning
// file; `{lead.*}` against the fields of the database of every trigger that uses the template.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProvisioningFile } from '../../src/core/provisioning/apply.js';
import { ProvisioningError } from '../../src/core/base/errors.js';
import { call, OTHER_TOKEN, startApi } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';
import { configVersion, expectError, expectOk } from '../helpers/manage.js';

let h: Harness;
/** A database of account 1 with the custom fields `fname` and `plna`, so templates using them can be saved. */
let typoDb: number;
/** An email template using `{lead.fname}` and `{lead.plna}`, and a trigger sending it from typoDb. */
let typoTemplate: number;
let typoTrigger: number;

beforeAll(async () => {
  h = await startApi();
  typoDb = (
    expectOk(
      await call(h, 'databases/add', {
        name: 'Odd names',
        fields: [
          { name: 'fname', type: 'string' },
          { name: 'plna', type: 'string' },
        ],
      }),
    ).data as { id: number }
  ).id;
  typoTemplate = (
    expectOk(
      await call(h, 'templates/add', {
        name: 'Odd',
        channel: 'email',
        subject: 'Hi {lead.fname}',
        text: 'Your plan: {lead.plna}',
      }),
    ).data as { id: number }
  ).id;
  typoTrigger = (
    expectOk(
      await call(h, 'campaigns/triggers/add', {
        name: 'Odd',
        send_channel: 'email',
        trigger_type: 'api_call',
        list_id: typoDb,
        content: [{ message_id: typoTemplate }],
      }),
    ).data as { id: number }
  ).id;
});
afterAll(() => h.close());

/** The grammar typos: refused wherever a template text is saved, whatever the database. */
const GRAMMAR: [string, string][] = [
  [
    'Hi {lead._fname',
    'unclosed variable: {lead._fname; a variable is {namespace.path}: letters, digits, _ and dots, closed by }',
  ],
  ['Hi {{lead._fname}}', 'doubled braces: {{lead._fname}}; a variable takes one pair of braces: {lead._fname}'],
  ['Hi { lead._fname }', 'spaces inside a variable: { lead._fname }; write {lead._fname}'],
];
/** The field typos, and what is said of them against database 1 (the fixture's, without such fields). */
const FIELDS: [string, string][] = [
  ['Hi {lead.fname}', '{lead.fname} is not a field of database 1 (did you mean {lead._fname}?)'],
  ['Your plan: {lead.plna}', '{lead.plna} is not a field of database 1'],
];

const template = (fields: Record<string, unknown>) => ({ name: 'Typo', channel: 'email', subject: 'Hello', ...fields });
const getTemplate = async (id: number) => expectOk(await call(h, 'templates/get', { id })).data;
const getTrigger = async (id: number) => expectOk(await call(h, 'campaigns/triggers/get', { id })).data;

describe('templates/add', () => {
  it('refuses each typo, naming it and the part it is in; nothing is written', async () => {
    const version = configVersion(h);
    for (const [text, said] of GRAMMAR) {
      expectError(await call(h, 'templates/add', template({ text })), 400, `text: ${said}`);
      expectError(await call(h, 'templates/add', template({ text: 'ok', subject: text })), 400, `subject: ${said}`);
      expectError(
        await call(h, 'templates/add', template({ html: `<p>${text}</p>` })),
        400,
        new RegExp(`^html: ${escape(said.split(';')[0])}`),
      );
    }
    // Account 2 has no database with `fname` or `plna`: such a variable can be right for none.
    const other = { token: OTHER_TOKEN };
    expectError(
      await call(h, 'templates/add', { ...other, ...template({ text: 'Hi {lead.fname}' }) }),
      400,
      'text: {lead.fname} is not a field of any database of the account (did you mean {lead._fname}?)',
    );
    expectError(
      await call(h, 'templates/add', { ...other, ...template({ text: 'Your plan: {lead.plna}' }) }),
      400,
      'text: {lead.plna} is not a field of any database of the account',
    );
    expectError(
      await call(h, 'templates/add', { ...other, ...template({ subject: 'For {lead.crm_id}', text: 'x' }) }),
      400,
      'subject: {lead.crm_id} is not a field of any database of the account (did you mean {lead.CRM_ID}?)',
    );
    expect(configVersion(h)).toBe(version);
  });

  it('takes a clean template, CSS and inline JSON included, and a field of any database of the account', async () => {
    const html =
      '<style>p { color: red; }</style><p>Hi {lead._fname} {lead.CRM_ID}</p><script type="application/ld+json">{"id":{apicontent.order.id}}</script><a href="{unsubscribe}">x</a>';
    expectOk(await call(h, 'templates/add', template({ html, subject: 'Hello {lead._lname}, {subscription.email}' })));
    expectOk(await call(h, 'templates/add', { token: OTHER_TOKEN, ...template({ text: '{lead.CRM_ID} {lead._id}' }) }));
    expectOk(await call(h, 'templates/add', template({ text: 'Hi {lead.fname}' })));
  });
});

describe('templates/update', () => {
  it('refuses each typo on a template triggers use, naming the variable and the trigger; the template is kept', async () => {
    const before = await getTemplate(5);
    const version = configVersion(h);
    for (const [text, said] of GRAMMAR)
      expectError(await call(h, 'templates/update', { id: 5, text }), 400, `text: ${said}`);
    for (const [text, said] of FIELDS) {
      // Account 1 has `fname` and `plna` (typoDb), but template 5 is sent from database 1 by trigger 85 and others.
      expectError(
        await call(h, 'templates/update', { id: 5, text }),
        400,
        new RegExp(
          `^trigger \\d+ \\(.+\\) would become invalid: content\\[0\\]\\.message_id: template 5 text: ${escape(said)}$`,
        ),
      );
    }
    expect(await getTemplate(5)).toEqual(before);
    expect(configVersion(h)).toBe(version);
  });

  it('checks against the database of the triggers that use the template', async () => {
    // typoTemplate is sent from typoDb only: its fields are fine there, database 1's are not.
    expectOk(await call(h, 'templates/update', { id: typoTemplate, text: 'Still {lead.plna}, {lead._fname}' }));
    expectError(
      await call(h, 'templates/update', { id: typoTemplate, text: 'Level {lead.level}' }),
      400,
      `trigger ${typoTrigger} (Odd) would become invalid: content[0].message_id: template ${typoTemplate} text: {lead.level} is not a field of database ${typoDb}`,
    );
  });
});

describe('campaigns/triggers/add and update', () => {
  const trigger = (body: Record<string, unknown>) => ({
    name: 'T',
    send_channel: 'email',
    trigger_type: 'api_call',
    list_id: 1,
    content: [{ message_id: 5 }],
    ...body,
  });

  it('add: refuses each typo in a content subject, and a template using a field the database lacks', async () => {
    const version = configVersion(h);
    for (const [text, said] of [...GRAMMAR, ...FIELDS]) {
      expectError(
        await call(h, 'campaigns/triggers/add', trigger({ content: [{ message_id: 5, subject: text }] })),
        400,
        `content[0].subject: ${said}`,
      );
    }
    expectError(
      await call(h, 'campaigns/triggers/add', trigger({ content: [{ message_id: 5 }, { message_id: typoTemplate }] })),
      400,
      `content[1].message_id: template ${typoTemplate} subject: {lead.fname} is not a field of database 1 (did you mean {lead._fname}?)`,
    );
    expect(configVersion(h)).toBe(version);
    // A subject override replaces the template's: only the override is checked for that part.
    expectOk(
      await call(
        h,
        'campaigns/triggers/add',
        trigger({ list_id: typoDb, content: [{ message_id: typoTemplate, subject: 'Hi {lead.fname}' }] }),
      ),
    );
  });

  it('update: refuses a content subject typo and a move to a database without the fields; the trigger is kept', async () => {
    const before = await getTrigger(typoTrigger);
    for (const [text, said] of GRAMMAR) {
      expectError(
        await call(h, 'campaigns/triggers/update', {
          id: typoTrigger,
          content: [{ message_id: typoTemplate, subject: text }],
        }),
        400,
        `content[0].subject: ${said}`,
      );
    }
    for (const [text, said] of FIELDS) {
      expectError(
        await call(h, 'campaigns/triggers/update', {
          id: typoTrigger,
          list_id: 1,
          content: [{ message_id: 5, subject: text }],
        }),
        400,
        `content[0].subject: ${said}`,
      );
    }
    expectError(
      await call(h, 'campaigns/triggers/update', { id: typoTrigger, list_id: 1 }),
      400,
      `content[0].message_id: template ${typoTemplate} subject: {lead.fname} is not a field of database 1 (did you mean {lead._fname}?)`,
    );
    expect(await getTrigger(typoTrigger)).toEqual(before);
  });

  it('sender names are templates too: checked in a content entry and in a resource channel', async () => {
    for (const [text, said] of GRAMMAR) {
      expectError(
        await call(h, 'campaigns/triggers/add', trigger({ content: [{ message_id: 5, from_name: text }] })),
        400,
        `content[0].from_name: ${said}`,
      );
      expectError(
        await call(h, 'resources/update', {
          id: 22,
          channels: { email: { sender: 'outbox', from_email: 'a@example.com', replyto_name: text } },
        }),
        400,
        `channels.email.replyto_name: ${said}`,
      );
    }
    expectError(
      await call(
        h,
        'campaigns/triggers/add',
        trigger({ content: [{ message_id: 5, replyto_name: 'Hi {lead.fname}' }] }),
      ),
      400,
      'content[0].replyto_name: {lead.fname} is not a field of database 1 (did you mean {lead._fname}?)',
    );
    // Resource 22 sends trigger 102 from database 1: a name it inherits is checked against that database.
    expectError(
      await call(h, 'resources/update', {
        id: 22,
        channels: { email: { sender: 'outbox', from_email: 'a@example.com', from_name: '{lead.plna} shop' } },
      }),
      400,
      /^trigger 102 \(.+\) would become invalid: content\[0\]: the resource's from_name: \{lead\.plna\} is not a field of database 1$/,
    );
  });

  it('databases/update: a field a trigger still sends may not be removed', async () => {
    expectError(
      await call(h, 'databases/update', { id: typoDb, fields: [{ name: 'fname', type: 'string' }] }),
      400,
      `trigger ${typoTrigger} (Odd) would become invalid: content[0].message_id: template ${typoTemplate} text: {lead.plna} is not a field of database ${typoDb}`,
    );
    expect(
      (expectOk(await call(h, 'databases/get', { id: typoDb })).data as { fields: unknown[] }).fields,
    ).toHaveLength(2);
  });
});

describe('the provisioning file', () => {
  const file = (text: string, fields: { name: string; type: string }[] = []) => ({
    accounts: [
      {
        id: 9001,
        name: 'Typos',
        senders: [{ name: 'outbox', type: 'file', dir: './data/outbox' }],
        databases: [
          { id: 9002, name: 'With odd fields', fields },
          { id: 9003, name: 'Plain' },
        ],
        resources: [
          {
            id: 9004,
            name: 'Mail',
            db_ids: [9002, 9003],
            channels: { email: { sender: 'outbox', from_email: 'a@example.com' } },
          },
        ],
        templates: [{ id: 9005, name: 'T', channel: 'email', subject: 'Hello', text }],
        triggers: [
          {
            id: 9006,
            name: 'T',
            trigger_type: 'api_call',
            send_channel: 'email',
            resource_id: 9004,
            list_id: 9003,
            is_active: true,
            content: [{ message_id: 9005 }],
          },
        ],
      },
    ],
  });

  async function problemsOf(value: unknown): Promise<string[]> {
    try {
      await applyProvisioningFile(h.store, value, {}, h.clock.now());
    } catch (err) {
      if (err instanceof ProvisioningError) return err.problems;
      throw err;
    }
    return [];
  }

  it('lists each typo with its place; nothing is written', async () => {
    // (The trigger naming the refused template is listed too.)
    const refused = (problem: string) => [
      `accounts[0].templates[0].text: ${problem}`,
      'accounts[0].triggers[0]: content[0].message_id: template 9005 does not exist',
    ];
    for (const [text, said] of GRAMMAR) expect(await problemsOf(file(text))).toEqual(refused(said));
    expect(await problemsOf(file('Hi {lead.fname}'))).toEqual(
      refused('{lead.fname} is not a field of any database of the account (did you mean {lead._fname}?)'),
    );
    expect(await problemsOf(file('Your plan: {lead.plna}'))).toEqual(
      refused('{lead.plna} is not a field of any database of the account'),
    );
    // A field of another database of the file: the trigger's database is the one that counts.
    const odd = [
      { name: 'fname', type: 'string' },
      { name: 'plna', type: 'string' },
    ];
    expect(await problemsOf(file('Hi {lead.fname}', odd))).toEqual([
      'accounts[0].triggers[0]: content[0].message_id: template 9005 text: {lead.fname} is not a field of database 9003 (did you mean {lead._fname}?)',
    ]);
    expect(await problemsOf(file('Your plan: {lead.plna}', odd))).toEqual([
      'accounts[0].triggers[0]: content[0].message_id: template 9005 text: {lead.plna} is not a field of database 9003',
    ]);
    expect(h.sql('SELECT id FROM accounts WHERE id = 9001')).toEqual([]);
  });

  it("checks the account's stored triggers against the templates and databases the file changes", async () => {
    // Account 1's template 5 is sent from database 1 by stored triggers the file does not list.
    const account1 = {
      id: 1,
      name: 'Test shop',
      templates: [{ id: 5, name: 'Welcome', channel: 'email', subject: 'Welcome', text: 'Hello {lead.fname}' }],
    };
    const problems = await problemsOf({ accounts: [account1] });
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems)
      expect(p).toMatch(
        /^accounts\[0\]: trigger \d+ \(.+\) would become invalid: content\[0\]\.message_id: template 5 text: \{lead\.fname\} is not a field of database [12] \(did you mean \{lead\._fname\}\?\)$/,
      );
    // Nothing was applied: template 5 is as it was.
    const kept = (await getTemplate(5)) as { channels: { sid: string; fields: Record<string, string> }[] };
    expect(kept.channels.find((c) => c.sid === 'email')?.fields.text).toBe('Hello {lead._fname}, {apicontent.page}.');
  });

  it('applies a clean file', async () => {
    expect(await problemsOf(file('Hi {lead._fname}, {lead.email} {lead._id}'))).toEqual([]);
    expect(h.sql<{ id: number }>('SELECT id FROM templates WHERE id = 9005')).toEqual([{ id: 9005 }]);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
