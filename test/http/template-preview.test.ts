// templates/preview (spec 05): a saved, changed or inline template rendered for a stored profile
// or sample fields, as a send renders it (values escaped in HTML, not in text, no CR/LF in the
// subject), for each channel; refusals name what is wrong; nothing is written; read tokens may
// preview; another account's template is not found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, OTHER_TOKEN, READ_TOKEN, snapshot, startApi } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';
import { expectError, expectOk } from '../helpers/manage.js';

let h: Harness;
let profileId: string;
beforeAll(async () => {
  h = await startApi();
  const res = expectOk(
    await call(h, 'profiles/import', {
      db_id: 1,
      data: {
        email: 'ann@example.com',
        _fname: 'Ann <b>',
        CRM_ID: 7,
        interests: ['news', 'sale'],
        subscriptions: [{ channel: 'email', resource_id: 21, email: 'ann@example.com' }],
      },
    }),
  );
  profileId = res.profile_id as string;
});
afterAll(() => h.close());

const preview = async (body: Record<string, unknown>) =>
  expectOk(await call(h, 'templates/preview', body)).data as Record<string, string>;

describe('templates/preview', () => {
  it('renders a saved email template for a stored profile, with the request content', async () => {
    const before = snapshot(h);
    expect(await preview({ id: 5, db_id: 1, profile_id: profileId, content: { page: 'the <home> page' } })).toEqual({
      channel: 'email',
      subject: 'Welcome, Ann <b>!',
      html: '<p>Hello Ann &lt;b&gt;, the &lt;home&gt; page.</p>',
      text: 'Hello Ann <b>, the <home> page.',
    });
    expect(snapshot(h)).toEqual(before);
  });

  it('renders for sample fields, with the template changed in the request (the editor)', async () => {
    const out = await preview({
      template_id: 5,
      subject: 'Hi {lead._fname}, {subscription.email_domain}',
      html: '<p>{lead.interests} · {lead.CRM_ID} · <a href="{unsubscribe}">stop</a></p>',
      data: { email: 'bob@example.org', _fname: 'Bob\r\nBcc: x@y', interests: ['a', 'b'], CRM_ID: 3 },
    });
    expect(out.subject).toBe('Hi Bob Bcc: x@y, example.org');
    expect(out.html).toBe('<p>a, b · 3 · <a href="#unsubscribe-preview">stop</a></p>');
    // The saved template's text is kept where the request does not change it; a missing value is empty.
    expect(out.text).toBe('Hello Bob\r\nBcc: x@y, .');
  });

  it('renders an inline template of each channel', async () => {
    expect(
      await preview({
        channel: 'sms',
        text: 'Code for {lead._fname}: {apicontent.code}',
        data: { _fname: 'Cy' },
        content: { code: 1234 },
      }),
    ).toEqual({ channel: 'sms', text: 'Code for Cy: 1234' });
    expect(
      await preview({
        channel: 'push',
        title: 'Hi {lead._fname}',
        text: 't',
        url: 'https://x.test/{lead.id}',
        data: { id: 'p9', _fname: 'Di' },
      }),
    ).toEqual({
      channel: 'push',
      title: 'Hi Di',
      text: 't',
      url: 'https://x.test/p9',
      image: '',
    });
    expect(await preview({ id: 6, db_id: 1, profile_id: profileId })).toEqual({
      channel: 'sms',
      text: 'Hello Ann <b>',
    });
  });

  it('is a read method: a read token may preview', async () => {
    const res = await h.post('templates/preview', { token: READ_TOKEN, id: 7, data: { _fname: 'Ed' } });
    expect((res.json as { data: unknown }).data).toEqual({
      channel: 'push',
      title: 'Hello',
      text: 'Hello Ed',
      url: '',
      image: '',
    });
  });

  it('refuses what cannot be rendered, naming it', async () => {
    expectError(
      await call(h, 'templates/preview', { text: 'x' }),
      400,
      'give a template id, or the template inline with its channel',
    );
    expectError(
      await call(h, 'templates/preview', { channel: 'email', html: '<p>x</p>' }),
      400,
      'subject: an email template needs a subject',
    );
    expectError(
      await call(h, 'templates/preview', { channel: 'sms', text: 'Hi {leed.name}' }),
      400,
      /^text: .*\{leed\.name\}/,
    );
    expectError(await call(h, 'templates/preview', { id: 5, html: 'Hi {lead.}' }), 400, /^html: .*\{lead\.\}/);
    expectError(
      await call(h, 'templates/preview', { id: 5, channel: 'sms' }),
      400,
      'template 5 is of channel email, not sms',
    );
    expectError(
      await call(h, 'templates/preview', { id: 5, profile_id: profileId }),
      400,
      'profile_id needs db_id: the database of the profile',
    );
    expectError(
      await call(h, 'templates/preview', { id: 5, db_id: 1, profile_id: profileId, data: {} }),
      400,
      'give either profile_id (with db_id) or data, not both',
    );
    expectError(await call(h, 'templates/preview', { id: 5, data: 'x' }), 400, /^data: /);
    expectError(await call(h, 'templates/preview', { id: 999 }), 404, 'template 999 not found');
    expectError(
      await call(h, 'templates/preview', { id: 5, db_id: 1, profile_id: 'ffffffffffffffffffffffff' }),
      404,
      'Profile not found',
    );
    expectError(await call(h, 'templates/preview', { id: 5, db_id: 99, profile_id: profileId }), 404, /database 99/);
    expectError(await h.post('templates/preview', { token: OTHER_TOKEN, id: 5 }), 404, 'template 5 not found');
  });
});
