// Stop lists, open and click tracking and the report counters end to end: a real SMTP server,
// Herald listening on a loopback port, the pixel and the rewritten links fetched over HTTP,
// action hooks received by a real HTTP receiver. Runs on SQLite, and on PostgreSQL with
// HERALD_TEST_STORE=postgres.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryProvision } from '../helpers/delivery-provision.js';
import { injectFault } from '../helpers/faults.js';
import { rows, startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp-sink.js';

let h: Harness;
let sink: SmtpSink;
let http: HttpReceiver;
let base: string;

const TRACKED = 70;
const UNTRACKED = 71;
const PERSONAL = 72;
const STORED = 73;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  http = await startHttpReceiver();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const provision = deliveryProvision(
    { smtpUrl: sink.url, httpUrl: http.url, hookEvents: ['send', 'uopen', 'open', 'uclick', 'click'] },
    {
      templates: [
        {
          id: 50,
          name: 'Links',
          channel: 'email',
          subject: 'News for {lead._fname}',
          html: '<html><body><p><a class="x" href="https://shop.example/a?x=1&amp;y=2">A</a> <a href=\'https://shop.example/b\' data-herald-notrack>B</a> <a href="mailto:care@example.com">Mail</a> <a href="{unsubscribe}">Unsubscribe</a></p></body></html>',
          text: 'News',
        },
        {
          id: 51,
          name: 'Personal links',
          channel: 'email',
          subject: 'For you',
          // A link made of a profile's value: rewritten after rendering, email by email.
          html: '<html><body><a href="https://shop.example/p/{lead._fname}?src=mail">Yours</a> <a href="https://shop.example/all">All</a></body></html>',
          text: 'For you',
        },
        {
          id: 52,
          name: 'Stored links',
          channel: 'email',
          subject: 'Offer',
          html: '<html><body><a href="https://shop.example/old">Offer</a></body></html>',
          text: 'Offer',
        },
      ],
      triggers: [
        {
          id: STORED,
          name: 'Stored',
          trigger_type: 'api_call',
          send_channel: 'email',
          resource_id: 21,
          list_id: 1,
          is_active: true,
          content: [{ message_id: 52 }],
        },
        {
          id: PERSONAL,
          name: 'Personal',
          trigger_type: 'api_call',
          send_channel: 'email',
          resource_id: 21,
          list_id: 1,
          is_active: true,
          content: [{ message_id: 51 }],
        },
        {
          id: TRACKED,
          name: 'Tracked',
          trigger_type: 'api_call',
          send_channel: 'email',
          resource_id: 21,
          list_id: 1,
          is_active: true,
          content: [{ message_id: 50 }],
        },
        {
          id: UNTRACKED,
          name: 'Untracked',
          trigger_type: 'api_call',
          send_channel: 'email',
          resource_id: 21,
          list_id: 1,
          is_active: true,
          track_opens: false,
          track_clicks: false,
          content: [{ message_id: 50 }],
        },
      ],
    },
  );
  provision.accounts[0] = {
    ...provision.accounts[0],
    suppression_lists: [{ id: 7, name: 'Provisioned' }],
  } as (typeof provision.accounts)[0];
  h = await startHarness({
    provisionObject: provision,
    realClock: true,
    env: { HERALD_WORKERS: '1', HERALD_POLL_MS: '20', HERALD_HOOK_INTERVAL_MS: '50', HERALD_PUBLIC_URL: base },
  });
  await h.app.listen({ port, host: '127.0.0.1' });
});
afterAll(async () => {
  await h.close();
  await sink.close();
  await http.close();
});

const profile = (email: string) => ({
  data: { _fname: 'Ann', email, subscriptions: [{ channel: 'email', email, resource_id: 21 }] },
});

async function launch(triggerId: number, emails: string[]): Promise<void> {
  const res = await h.post('campaigns/triggers/import_and_start_batch', {
    token: TOKEN,
    trigger_id: triggerId,
    data: emails.map(profile),
  });
  expect(res.status).toBe(200);
}

async function mailTo(address: string): Promise<ReceivedMail> {
  await expect.poll(() => sink.mails.some((m) => m.envelopeTo.includes(address)), { timeout: 10_000 }).toBe(true);
  return sink.mails.find((m) => m.envelopeTo.includes(address)) as ReceivedMail;
}

const hrefs = (html: string): string[] =>
  [...html.matchAll(/<a\b[^>]*\bhref=["']([^"']*)["']/g)].map((m) => m[1].replace(/&amp;/g, '&'));
const pixelOf = (html: string): string | undefined => /<img src="([^"]+\/t\/o\/[^"]+)"/.exec(html)?.[1];

async function status(triggerId: number): Promise<Record<string, unknown>> {
  const res = await h.post('campaigns/status', { token: TOKEN, id: triggerId });
  expect(res.status).toBe(200);
  return res.json.data as Record<string, unknown>;
}

const hookTypes = () =>
  http.requests
    .filter((r) => r.path === '/hooks')
    .flatMap((r) => r.json as { event_type: string; message_id: string }[]);

describe('stop lists', () => {
  it('manages lists and entries with the suppresses methods, refusing bad input with 4xx', async () => {
    const created = await h.post('suppresses/add', { token: TOKEN, name: 'Global' });
    expect(created.status).toBe(200);
    const id = (created.json.data as { saved_id: number }).saved_id;
    // The provisioning file's list is there, and ids the API hands out stay above it.
    expect((await h.post('suppresses/get', { token: TOKEN, id: 7 })).json.data).toMatchObject({
      id: 7,
      name: 'Provisioned',
      emails_count: 0,
    });
    expect(id).toBeGreaterThan(7);
    expect(
      (await h.post('suppresses/email_add', { token: TOKEN, id, email: 'Blocked@Example.com' })).json.data,
    ).toEqual({ 'Blocked@Example.com': true });
    const many = await h.post('suppresses/domains_add', {
      token: TOKEN,
      id,
      domains: ['blocked.example', 'BLOCKED.example', 'other.example'],
    });
    expect(many.json).toMatchObject({ error: 0, total_count: 3, total_imported: 2, total_duplicated: 1 });
    expect((await h.post('suppresses/phone_add', { token: TOKEN, id, phone: '+1 202 555 0143' })).status).toBe(200);
    expect(
      (await h.post('suppresses/email_check', { token: TOKEN, id, email: 'blocked@example.com' })).json.data,
    ).toEqual({ 'blocked@example.com': true });
    expect((await h.post('suppresses/email_check', { token: TOKEN, id, email: 'ok@example.com' })).json.data).toEqual({
      'ok@example.com': false,
    });
    expect((await h.post('suppresses/domain_remove', { token: TOKEN, id, domain: 'other.example' })).status).toBe(200);
    const got = await h.post('suppresses/get', { token: TOKEN, id });
    expect(got.json.data).toMatchObject({ id, name: 'Global', emails_count: 1, domains_count: 1, phones_count: 1 });
    expect(
      ((await h.post('suppresses/list', { token: TOKEN })).json.data as { id: number }[]).map((l) => l.id),
    ).toContain(id);

    const bad = await h.post('suppresses/email_add', { token: TOKEN, id, email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error_text ?? '') + JSON.stringify(bad.json)).toContain('not a valid email');
    expect(
      (await h.post('suppresses/emails_add', { token: TOKEN, id, emails: ['a@example.com', 'nope'] })).status,
    ).toBe(400);
    expect((await h.post('suppresses/email_add', { token: TOKEN, id: 9999, email: 'x@example.com' })).status).toBe(404);
    expect((await h.post('suppresses/get', { token: TOKEN, id: 9999 })).status).toBe(404);
    expect((await h.post('suppresses/add', { token: TOKEN })).status).toBe(400);
    // The bad batch wrote nothing.
    expect((await h.post('suppresses/email_check', { token: TOKEN, id, email: 'a@example.com' })).json.data).toEqual({
      'a@example.com': false,
    });
  });

  it("lists a list's entries newest first, by kind and search, in pages", async () => {
    const list = (await h.post('suppresses/add', { token: TOKEN, name: 'Browse' })).json.data as { saved_id: number };
    const id = list.saved_id;
    await h.post('suppresses/emails_add', { token: TOKEN, id, emails: ['Old.One@Example.com', 'two@example.com'] });
    // Later entries are newer: wait until the clock has moved past the first ones.
    const first = Date.now();
    await expect.poll(() => Date.now()).toBeGreaterThan(first);
    await h.post('suppresses/domain_add', { token: TOKEN, id, domain: 'spam.example' });
    await h.post('suppresses/phone_add', { token: TOKEN, id, phone: '+12025550143' });
    const entries = async (params: Record<string, unknown>) => {
      const res = await h.post('suppresses/entries', { token: TOKEN, id, ...params });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      return res.json as { data: { kind: string; value: string; created: string }[]; total_count: number };
    };
    const all = await entries({});
    expect(all.total_count).toBe(4);
    expect(all.data.slice(2).map((e) => e.value)).toEqual(['old.one@example.com', 'two@example.com']);
    expect(new Set(all.data.slice(0, 2).map((e) => e.kind))).toEqual(new Set(['domain', 'phone']));
    expect((await entries({ kind: 'email' })).data.map((e) => e.value)).toEqual([
      'old.one@example.com',
      'two@example.com',
    ]);
    const found = await entries({ search: 'EXAMPLE.com' });
    expect(found.total_count).toBe(2);
    expect((await entries({ search: '5550' })).data).toMatchObject([{ kind: 'phone', value: '+12025550143' }]);
    const page = await entries({ limit: 1, offset: 3 });
    expect(page).toMatchObject({ total_count: 4, data: [{ value: 'two@example.com' }] });
    expect((await h.post('suppresses/entries', { token: TOKEN, id, kind: 'fax' })).status).toBe(400);
    expect((await h.post('suppresses/entries', { token: TOKEN, id: 99999 })).status).toBe(404);
  });

  it('skips a message to a listed address or domain with reason suppressed, and sends the others', async () => {
    await launch(TRACKED, ['ok@example.com', 'blocked@example.com', 'someone@blocked.example']);
    await mailTo('ok@example.com');
    await expect
      .poll(
        () =>
          rows(
            h,
            "SELECT address, skip_reason FROM messages WHERE trigger_id = ? AND status = 'skipped' ORDER BY address",
            TRACKED,
          ),
        { timeout: 10_000 },
      )
      .toEqual([
        { address: 'blocked@example.com', skip_reason: 'suppressed' },
        { address: 'someone@blocked.example', skip_reason: 'suppressed' },
      ]);
    expect(
      sink.mails.some(
        (m) => m.envelopeTo.includes('blocked@example.com') || m.envelopeTo.includes('someone@blocked.example'),
      ),
    ).toBe(false);
    // An import is not affected: the suppressed address is still a subscribed profile.
    expect(rows(h, "SELECT status FROM subscriptions WHERE address = 'blocked@example.com'")).toEqual([{ status: 0 }]);
  });
});

describe('opens and clicks', () => {
  it('rewrites the tracked links, keeps the others, and adds the pixel', async () => {
    const html = String((await mailTo('ok@example.com')).parsed.html);
    const [a, b, mail, unsub] = hrefs(html);
    expect(a).toMatch(new RegExp(`^${base}/t/c/[\\w-]+\\.[\\w-]+$`));
    expect(b).toBe('https://shop.example/b');
    expect(mail).toBe('mailto:care@example.com');
    expect(unsub).toMatch(new RegExp(`^${base}/u/`));
    expect(pixelOf(html)).toMatch(new RegExp(`^${base}/t/o/[\\w-]+$`));
    // Nothing readable in the tokens: not the address, not the URL.
    expect(Buffer.from(a.split('/').pop() as string, 'base64url').toString('latin1')).not.toContain('shop.example');
  });

  it('answers the pixel and redirects a click over HTTP, counting opens and clicks unique and total', async () => {
    const html = String((await mailTo('ok@example.com')).parsed.html);
    const [link] = hrefs(html);
    const pixel = await fetch(pixelOf(html) as string, { headers: { 'user-agent': 'MailReader/1.0' } });
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    expect(
      Buffer.from(await pixel.arrayBuffer())
        .subarray(0, 6)
        .toString('latin1'),
    ).toBe('GIF89a');
    for (let i = 0; i < 2; i++) {
      const click = await fetch(link, { redirect: 'manual' });
      expect(click.status).toBe(302);
      expect(click.headers.get('location')).toBe('https://shop.example/a?x=1&y=2');
    }
    await fetch(pixelOf(html) as string);
    const s = await status(TRACKED);
    expect(s).toMatchObject({
      sent: 1,
      skipped: 2,
      suppressed: 2,
      opened: 2,
      opened_unique: 1,
      clicked: 2,
      clicked_unique: 1,
    });
    const events = rows<{ kind: string; user_agent: string | null; ip: string | null }>(
      h,
      'SELECT kind, user_agent, ip FROM tracking_events ORDER BY id',
    );
    expect(events.map((e) => e.kind)).toEqual(['open', 'click', 'click', 'open']);
    expect(events[0]).toMatchObject({ user_agent: 'MailReader/1.0', ip: '127.0.0.1' });
    await expect
      .poll(
        () =>
          hookTypes()
            .map((e) => e.event_type)
            .sort(),
        { timeout: 5000 },
      )
      .toEqual(['click', 'click', 'open', 'open', 'send', 'uclick', 'uopen']);
  });

  it('answers 404 to a forged or altered token and records nothing', async () => {
    const html = String((await mailTo('ok@example.com')).parsed.html);
    const [link] = hrefs(html);
    const pixel = pixelOf(html) as string;
    const before = rows(h, 'SELECT COUNT(*) AS n FROM tracking_events')[0];
    const token = link.split('/').pop() as string;
    const flipped = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    // The link part of the click token altered (the message part is the first).
    const at = token.length - 5;
    const flippedLink = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    for (const url of [
      `${base}/t/c/${flipped}`,
      `${base}/t/c/${flippedLink}`,
      `${base}/t/c/${pixel.split('/').pop()}`,
      `${base}/t/o/${token}`,
      `${base}/t/c/forged`,
      `${base}/t/o/${'A'.repeat(60)}`,
    ]) {
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status, url).toBe(404);
      expect(res.headers.get('location')).toBeNull();
    }
    expect(rows(h, 'SELECT COUNT(*) AS n FROM tracking_events')[0]).toEqual(before);
    expect(await status(TRACKED)).toMatchObject({ opened: 2, clicked: 2 });
  });

  it('counts a click with no open recorded as an open too', async () => {
    await launch(TRACKED, ['images-off@example.com']);
    const [link] = hrefs(String((await mailTo('images-off@example.com')).parsed.html));
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);
    expect(await status(TRACKED)).toMatchObject({
      sent: 2,
      opened: 3,
      opened_unique: 2,
      clicked: 3,
      clicked_unique: 2,
    });
  });

  it('leaves the HTML alone when the trigger tracks neither opens nor clicks', async () => {
    await launch(UNTRACKED, ['plain@example.com']);
    const html = String((await mailTo('plain@example.com')).parsed.html);
    expect(pixelOf(html)).toBeUndefined();
    expect(hrefs(html)[0]).toBe('https://shop.example/a?x=1&y=2');
    const got = await h.post('campaigns/triggers/get', { token: TOKEN, id: UNTRACKED });
    expect(got.json.data).toMatchObject({ track_opens: false, track_clicks: false });
    expect(
      ((await h.post('campaigns/triggers/get', { token: TOKEN, id: TRACKED })).json.data as Record<string, unknown>)
        .track_opens,
    ).toBe(true);
  });
});

describe('reports', () => {
  it('campaigns/triggers/stats answers the counters of every day of the range', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const res = await h.post('campaigns/triggers/stats', {
      token: TOKEN,
      id: TRACKED,
      date_from: yesterday,
      date_to: today,
    });
    expect(res.status).toBe(200);
    const data = res.json.data as Record<string, unknown>[];
    expect(data.map((d) => d.date)).toEqual([yesterday, today]);
    expect(data[0]).toMatchObject({ scheduled: 0, sent: 0, opened: 0 });
    expect(data[1]).toMatchObject({
      scheduled: 4,
      sent: 2,
      skipped: 2,
      suppressed: 2,
      opened: 3,
      opened_unique: 2,
      clicked: 3,
      clicked_unique: 2,
      failed: 0,
    });
    expect(
      (await h.post('campaigns/triggers/stats', { token: TOKEN, id: TRACKED, date_from: today, date_to: yesterday }))
        .status,
    ).toBe(400);
    expect((await h.post('campaigns/triggers/stats', { token: TOKEN, id: 12345 })).status).toBe(404);
    expect((await h.post('campaigns/triggers/stats', { token: TOKEN, id: TRACKED, date_from: 'soon' })).status).toBe(
      400,
    );
  });

  it('account/stats sums the days of every trigger campaign of the account', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const range = { token: TOKEN, date_from: yesterday, date_to: today };
    const perTrigger = await Promise.all(
      [TRACKED, UNTRACKED].map(async (id) => (await h.post('campaigns/triggers/stats', { ...range, id })).json),
    );
    const res = await h.post('account/stats', range);
    expect(res.status).toBe(200);
    const data = res.json.data as Record<string, number | string>[];
    expect(data.map((d) => d.date)).toEqual([yesterday, today]);
    const sum = (name: string) =>
      perTrigger.reduce((n, r) => n + Number((r.data as Record<string, number>[])[1][name]), 0);
    for (const name of ['scheduled', 'sent', 'opened', 'clicked', 'suppressed'])
      expect(data[1][name], name).toBe(sum(name));
    expect(data[1].sent).toBeGreaterThan(0);
    expect((await h.post('account/stats', { ...range, date_from: today, date_to: yesterday })).status).toBe(400);
  });

  it('counts an unsubscription on the trigger of the message its link came in', async () => {
    const html = String((await mailTo('ok@example.com')).parsed.html);
    const unsub = hrefs(html)[3];
    expect((await fetch(unsub, { method: 'POST' })).status).toBe(200);
    expect(await status(TRACKED)).toMatchObject({ unsubscribed: 1 });
  });
});

// Last: its clicks would count in the totals the tests above check.
describe('personalised links', () => {
  it('rewrites a link made of a profile value too, and redirects each recipient to their own URL', async () => {
    for (const [address, name] of [
      ['zoe@example.com', 'Zoe'],
      ['yan@example.com', 'Yan'],
    ]) {
      const res = await h.post('campaigns/triggers/import_and_start_batch', {
        token: TOKEN,
        trigger_id: PERSONAL,
        data: [
          {
            data: {
              _fname: name,
              email: address,
              subscriptions: [{ channel: 'email', email: address, resource_id: 21 }],
            },
          },
        ],
      });
      expect(res.status).toBe(200);
    }
    for (const [address, name] of [
      ['zoe@example.com', 'Zoe'],
      ['yan@example.com', 'Yan'],
    ]) {
      const [yours, all] = hrefs(String((await mailTo(address)).parsed.html));
      expect(yours).toMatch(new RegExp(`^${base}/t/c/`));
      expect(all).toMatch(new RegExp(`^${base}/t/c/`));
      const click = await fetch(yours!, { redirect: 'manual' });
      expect(click.status).toBe(302);
      expect(click.headers.get('location')).toBe(`https://shop.example/p/${name}?src=mail`);
      const other = await fetch(all!, { redirect: 'manual' });
      expect(other.headers.get('location')).toBe('https://shop.example/all');
    }
  });
});

describe('stored links', () => {
  const linkPart = (url: string) => (url.split('/').pop() as string).split('.')[1]!;
  const setHtml = async (html: string) => {
    const res = await h.post('templates/update', { token: TOKEN, id: 52, channel: 'email', html });
    expect(res.status).toBe(200);
  };

  it('names a planned link by its stored id, and keeps redirecting to its URL after the template changes', async () => {
    await launch(STORED, ['s1@example.com']);
    const [first] = hrefs(String((await mailTo('s1@example.com')).parsed.html));
    // A reference of 18 characters, however long the URL.
    expect(linkPart(first!)).toHaveLength(18);
    expect(rows(h, `SELECT position, url FROM tracked_links WHERE trigger_id = ${STORED}`)).toEqual([
      { position: 0, url: 'https://shop.example/old' },
    ]);
    await setHtml('<html><body><a href="https://shop.example/new">Offer</a></body></html>');
    await launch(STORED, ['s2@example.com']);
    const [second] = hrefs(String((await mailTo('s2@example.com')).parsed.html));
    expect(linkPart(second!)).toHaveLength(18);
    expect(second).not.toBe(first);
    for (const [link, url] of [
      [first, 'https://shop.example/old'],
      [second, 'https://shop.example/new'],
    ]) {
      const click = await fetch(link!, { redirect: 'manual' });
      expect(click.status).toBe(302);
      expect(click.headers.get('location')).toBe(url);
    }
    // A link part goes with the messages of its own trigger only.
    const [other] = hrefs(String((await mailTo('ok@example.com')).parsed.html));
    const mixed = `${(other!.split('/').pop() as string).split('.')[0]}.${linkPart(first!)}`;
    expect((await fetch(`${base}/t/c/${mixed}`, { redirect: 'manual' })).status).toBe(404);
  });

  it('still redirects a stored link it knows while the storage fails, recording nothing', async () => {
    const [first] = hrefs(String((await mailTo('s1@example.com')).parsed.html));
    const before = rows(h, 'SELECT COUNT(*) AS n FROM tracking_events')[0];
    const heal = injectFault(h, { table: 'tracking_events', op: 'INSERT', when: 'NEW.message_id > 0' });
    try {
      const click = await fetch(first!, { redirect: 'manual' });
      expect(click.status).toBe(302);
      expect(click.headers.get('location')).toBe('https://shop.example/old');
    } finally {
      heal();
    }
    expect(rows(h, 'SELECT COUNT(*) AS n FROM tracking_events')[0]).toEqual(before);
  });

  it('tracks with tokens that carry the URL when the links cannot be stored', async () => {
    await setHtml('<html><body><a href="https://shop.example/third">Offer</a></body></html>');
    const heal = injectFault(h, { table: 'tracked_links', op: 'INSERT', when: 'NEW.position >= 0' });
    try {
      await launch(STORED, ['s3@example.com']);
      const [third] = hrefs(String((await mailTo('s3@example.com')).parsed.html));
      expect(linkPart(third!).length).toBeGreaterThan(18);
      const click = await fetch(third!, { redirect: 'manual' });
      expect(click.headers.get('location')).toBe('https://shop.example/third');
    } finally {
      heal();
    }
    expect(rows(h, `SELECT url FROM tracked_links WHERE trigger_id = ${STORED} ORDER BY id`)).toEqual([
      { url: 'https://shop.example/old' },
      { url: 'https://shop.example/new' },
    ]);
  });
});
