// The addresses that go into a mail's From and Reply-To headers and its envelope are checked when
// saved — a trigger's content entries and a resource's email channel, through the API and the
// provisioning file: CR/LF, display names and garbage are a 400 naming the field (they were
// accepted, and every message then failed with SMTP 501).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProvisioningFile } from '../../src/core/provisioning/apply.js';
import { call, FIXTURE } from '../helpers/api.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { ProvisioningError } from '../../src/core/base/errors.js';

const BAD = [
  'shop@example.com\r\nBcc: victim@evil.example',
  'Shop <shop@example.com>',
  'not an address',
  'shop@localhost',
  ' @example.com',
  'a@b.c\r\nd@e.f',
];

describe('sender addresses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ provision: FIXTURE });
  });
  afterAll(() => h.close());

  const trigger = (entry: Record<string, unknown>) => ({
    name: 'T',
    send_channel: 'email',
    trigger_type: 'api_call',
    content: [{ message_id: 5, ...entry }],
  });

  it('a trigger content entry: from_email and replyto_email must be plain addresses', async () => {
    for (const field of ['from_email', 'replyto_email']) {
      for (const bad of BAD) {
        const added = await call(h, 'campaigns/triggers/add', trigger({ [field]: bad }));
        expect(added.status, `${field} ${JSON.stringify(bad)}`).toBe(400);
        expect(added.json.error_debug).toMatch(
          new RegExp(
            `^content\\[0\\]\\.${field}: incorrect email .*, expected a plain address such as name@example\\.com$`,
          ),
        );
        const updated = await call(h, 'campaigns/triggers/update', {
          id: 96,
          content: [{ message_id: 5, [field]: bad }],
        });
        expect(updated.status).toBe(400);
        expect(updated.json.error_debug).toMatch(new RegExp(`^content\\[0\\]\\.${field}: incorrect email`));
      }
    }
    const ok = await call(
      h,
      'campaigns/triggers/add',
      trigger({ from_email: ' Sales@Example.com ', replyto_email: 'care@example.com', from_name: 'Sales' }),
    );
    expect(ok.status, ok.body).toBe(200);
    expect((ok.json.data as { content: unknown }).content).toEqual([
      { message_id: 5, from_email: 'Sales@Example.com', replyto_email: 'care@example.com', from_name: 'Sales' },
    ]);
    // Empty means not given (the resource's address is used).
    const empty = await call(h, 'campaigns/triggers/add', trigger({ from_email: '' }));
    expect((empty.json.data as { content: unknown }).content).toEqual([{ message_id: 5 }]);
  });

  it("a resource's email channel: from_email and replyto_email must be plain addresses", async () => {
    for (const field of ['from_email', 'replyto_email']) {
      for (const bad of BAD) {
        const res = await call(h, 'resources/add', {
          name: 'R',
          db_ids: [1],
          channels: { email: { sender: 'outbox', from_email: 'ok@example.com', [field]: bad } },
        });
        expect(res.status, `${field} ${JSON.stringify(bad)}`).toBe(400);
        expect(res.json.error_debug).toMatch(new RegExp(`^channels\\.email\\.${field}: incorrect email`));
      }
    }
    const update = await call(h, 'resources/update', {
      id: 21,
      channels: { email: { sender: 'outbox', from_email: 'shop@example.com\r\nX-Injected: 1' } },
    });
    expect(update.status).toBe(400);
  });

  it('the provisioning file: every bad address is a problem naming its path, and nothing is applied', async () => {
    const file = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
      accounts: {
        resources: { channels: { email?: Record<string, unknown> } }[];
        triggers: { content: Record<string, unknown>[] }[];
      }[];
    };
    const account = file.accounts[0];
    (account.resources[0].channels.email as Record<string, unknown>).from_email =
      'shop@example.com\r\nBcc: victim@evil.example';
    account.triggers[0].content[0].replyto_email = 'garbage';
    let problems: string[] = [];
    try {
      await applyProvisioningFile(h.store, file, {}, h.clock.now());
    } catch (err) {
      expect(err).toBeInstanceOf(ProvisioningError);
      problems = (err as ProvisioningError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^accounts\[0\]\.resources\[0\]\.channels\.email\.from_email: incorrect email /),
      expect.stringMatching(/^accounts\[0\]\.triggers\[0\]\.content\[0\]\.replyto_email: incorrect email "garbage"/),
    ]);
    const resource = await call(h, 'resources/get', { id: 21 });
    expect(
      (resource.json.data as { channel_settings: { email: { from_email: string } } }).channel_settings.email.from_email,
    ).toBe('shop@example.com');
  });
});
