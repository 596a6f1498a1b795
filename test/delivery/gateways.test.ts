// SMS gateways configured, not programmed: a form-encoded gateway with Basic auth and a query key
// (Twilio's shape), a JSON gateway that answers 200 with its verdict inside (Vonage's shape), and
// their delivery receipts — form and JSON bodies, the key in the query or a header, repeated,
// forged, for unknown messages. Real HTTP gateways on loopback. Runs on SQLite and PostgreSQL.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rows, startHarness, TOKEN, type Harness } from '../helpers/harness.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';

interface GatewayRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

let h: Harness;
let hooks: HttpReceiver;
let gateway: { url: string; requests: GatewayRequest[]; close(): Promise<void> };
let nextSid = 0;
/** What the JSON gateway says inside its 200 answer ("0" is success, as Vonage's status). */
let vonageStatus = '0';
const TWILIO_KEY = 'twilio-receipt-key-0123456789';
const VONAGE_KEY = 'vonage-receipt-key-0123456789';

async function startGateway() {
  const requests: GatewayRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        url: new URL(req.url ?? '', 'http://x'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(r);
      res.setHeader('content-type', 'application/json');
      if (r.url.pathname === '/2010-04-01/Accounts/AC1/Messages.json') {
        res.writeHead(201).end(JSON.stringify({ sid: `SM${++nextSid}`, status: 'queued' }));
      } else if (r.url.pathname === '/sms/json') {
        res.writeHead(200).end(
          JSON.stringify({
            'message-count': '1',
            messages: [
              {
                status: vonageStatus,
                'message-id': `V-${++nextSid}`,
                ...(vonageStatus === '0' ? {} : { 'error-text': 'Throttled' }),
              },
            ],
          }),
        );
      } else {
        res.writeHead(404).end('{}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function account(id: number, name: string, keys: { twilio: string; vonage: string }) {
  return {
    id,
    name,
    tokens: [{ token: id === 1 ? TOKEN : `second-account-token-${id}`, role: 'write' }],
    senders: [
      {
        name: 'twilio',
        type: 'http',
        url: `${gateway.url}/2010-04-01/Accounts/AC1/Messages.json`,
        auth: { basic: { user: 'AC1', password: { env: 'TEST_TWILIO_TOKEN' } } },
        query: { tag: '{lead._fname} & co' },
        headers: { 'X-Customer': '{lead.CRM_ID}' },
        body: { form: { To: '{message.to}', From: '+15005550006', Body: '{message.text}' } },
        response: { message_id: '/sid', success: { status: [201] } },
        receipt: {
          key: keys.twilio,
          id: '/MessageSid',
          status: '/MessageStatus',
          delivered: ['delivered'],
          undelivered: ['undelivered', 'failed'],
          reason: '/ErrorCode',
        },
      },
      {
        name: 'vonage',
        type: 'http',
        url: `${gateway.url}/sms/json`,
        body: {
          json: {
            api_key: 'k',
            to: '{message.to}',
            from: 'Shop',
            text: '{message.text}',
            'client-ref': '{message.id}',
            meta: { n: 1, on: true },
          },
        },
        response: { message_id: '/messages/0/message-id', success: { pointer: '/messages/0/status', equals: '0' } },
        receipt: {
          key: keys.vonage,
          id: '/messageId',
          status: '/status',
          delivered: ['delivered'],
          undelivered: ['failed', 'rejected', 'expired'],
          reason: '/err-code',
        },
      },
    ],
    databases: [{ id, name: 'Customers', fields: [{ name: 'CRM_ID', type: 'string' }] }],
    resources: [
      { id: 20 + id, name: 'Twilio', db_ids: [id], channels: { sms: { sender: 'twilio' } } },
      { id: 30 + id, name: 'Vonage', db_ids: [id], channels: { sms: { sender: 'vonage' } } },
    ],
    templates: [{ id: 5 + id * 10, name: 'SMS', channel: 'sms', text: 'Code {apicontent.code} for {lead._fname}' }],
    triggers: [
      {
        id: 96 + id * 10,
        name: 'Twilio',
        trigger_type: 'api_call',
        send_channel: 'sms',
        resource_id: 20 + id,
        list_id: id,
        is_active: true,
        content: [{ message_id: 5 + id * 10 }],
      },
      {
        id: 97 + id * 10,
        name: 'Vonage',
        trigger_type: 'api_call',
        send_channel: 'sms',
        resource_id: 30 + id,
        list_id: id,
        is_active: true,
        content: [{ message_id: 5 + id * 10 }],
      },
    ],
    action_hooks: [{ url: `${hooks.url}/hooks/${id}`, events: ['deliv', 'undeliv'] }],
  };
}

beforeAll(async () => {
  process.env.TEST_TWILIO_TOKEN = 'twilio-auth-token';
  gateway = await startGateway();
  hooks = await startHttpReceiver();
  h = await startHarness({
    provisionObject: {
      accounts: [
        account(1, 'Shop', { twilio: TWILIO_KEY, vonage: VONAGE_KEY }),
        account(2, 'Other shop', { twilio: 'second-account-twilio-key', vonage: 'second-account-vonage-key' }),
      ],
    },
    realClock: true,
    env: { HERALD_WORKERS: '1', HERALD_POLL_MS: '20', HERALD_HOOK_INTERVAL_MS: '50' },
  });
});
afterAll(async () => {
  await h?.close();
  await Promise.all([gateway?.close(), hooks?.close()]);
});
beforeEach(() => {
  gateway.requests.length = 0;
  hooks.requests.length = 0;
  vonageStatus = '0';
});

async function sendSms(trigger: 106 | 107, phone: string, fields: Record<string, unknown> = {}) {
  const res = await h.post('campaigns/triggers/import_and_start', {
    token: TOKEN,
    trigger_id: trigger,
    matching: 'phone',
    content: { code: '12 & 34 = "ok"\nbye' },
    data: {
      phones: phone,
      _fname: 'Ann',
      ...fields,
      subscriptions: [{ channel: 'sms', phone, resource_id: trigger === 106 ? 21 : 31 }],
    },
  });
  expect(res.status).toBe(200);
}

type Row = {
  id: number;
  status: string;
  provider_id: string | null;
  receipt_status: string | null;
  receipt_reason: string | null;
  last_error: string | null;
};
const messageTo = (phone: string) =>
  rows<Row>(
    h,
    'SELECT id, status, provider_id, receipt_status, receipt_reason, last_error FROM messages WHERE address = ? ORDER BY id DESC LIMIT 1',
    phone,
  )[0];

function receipt(sender: string, body: string, opts: { key?: string; header?: string; type?: string } = {}) {
  return h.app.inject({
    method: 'POST',
    url: `/receipts/${sender}${opts.key !== undefined ? `?key=${encodeURIComponent(opts.key)}` : ''}`,
    payload: body,
    headers: {
      'content-type': opts.type ?? 'application/x-www-form-urlencoded',
      ...(opts.header ? { 'x-herald-receipt-key': opts.header } : {}),
    },
  });
}

type HookEvent = { event_type: string; message_id: string; event_data: Record<string, unknown> };
const hookEvents = () => hooks.requests.flatMap((r) => r.json as HookEvent[]);

/**
 * Proof that the hook queue had its chance: a later message's receipt is delivered to the hook
 * receiver. Events are sent in the order they were recorded, so any event an earlier request
 * should not have made would have arrived before this one.
 */
async function laterReceiptHooked(phone: string): Promise<void> {
  await sendSms(106, phone);
  await expect.poll(() => messageTo(phone)?.provider_id, { timeout: 10_000 }).toMatch(/^SM/);
  const sid = String(messageTo(phone).provider_id);
  const res = await receipt('twilio', new URLSearchParams({ MessageSid: sid, MessageStatus: 'delivered' }).toString(), {
    key: TWILIO_KEY,
  });
  expect(res.statusCode).toBe(200);
  const id = String(messageTo(phone).id);
  await expect.poll(() => hookEvents().some((e) => e.message_id === id), { timeout: 10_000 }).toBe(true);
}

describe('a form gateway (Twilio shape)', () => {
  it('posts a form with Basic auth, query and header templates, each value encoded for its place', async () => {
    await sendSms(106, '+15551230001', { _fname: 'Ann', CRM_ID: 'crm-7\r\nX-Evil: 1' });
    await expect.poll(() => gateway.requests.length, { timeout: 10_000 }).toBe(1);
    const r = gateway.requests[0];
    expect(r.method).toBe('POST');
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from('AC1:twilio-auth-token').toString('base64')}`);
    // The header template's value had CR/LF in it: no header was injected.
    expect(r.headers['x-customer']).toBe('crm-7 X-Evil: 1');
    expect(r.headers['x-evil']).toBeUndefined();
    expect(r.url.searchParams.get('tag')).toBe('Ann & co');
    const form = new URLSearchParams(r.body);
    expect([...form.keys()]).toEqual(['To', 'From', 'Body']);
    expect(form.get('To')).toBe('+15551230001');
    expect(form.get('Body')).toBe('Code 12 & 34 = "ok"\nbye for Ann');
    await expect.poll(() => messageTo('+15551230001')?.status, { timeout: 5000 }).toBe('sent');
    expect(messageTo('+15551230001').provider_id).toMatch(/^SM\d+$/);
  });

  it('a status receipt (form, key in the query) moves the message to delivered once, with one deliv event', async () => {
    await sendSms(106, '+15551230002');
    await expect.poll(() => messageTo('+15551230002')?.provider_id, { timeout: 10_000 }).toMatch(/^SM/);
    const sid = String(messageTo('+15551230002').provider_id);
    const body = new URLSearchParams({ MessageSid: sid, MessageStatus: 'delivered', AccountSid: 'AC1' }).toString();

    // On the way: acknowledged, nothing changes.
    const queued = await receipt('twilio', new URLSearchParams({ MessageSid: sid, MessageStatus: 'sent' }).toString(), {
      key: TWILIO_KEY,
    });
    expect([queued.statusCode, queued.json().status]).toEqual([200, 'ignored']);
    expect(messageTo('+15551230002').status).toBe('sent');

    const first = await receipt('twilio', body, { key: TWILIO_KEY });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'delivered' });
    expect(messageTo('+15551230002')).toMatchObject({ status: 'delivered', receipt_status: 'delivered' });
    const again = await receipt('twilio', body, { key: TWILIO_KEY });
    expect([again.statusCode, again.json().status]).toEqual([200, 'unchanged']);
    // A later, contradicting receipt changes nothing either.
    const late = await receipt('twilio', new URLSearchParams({ MessageSid: sid, MessageStatus: 'failed' }).toString(), {
      key: TWILIO_KEY,
    });
    expect(late.json().status).toBe('unchanged');
    expect(messageTo('+15551230002').status).toBe('delivered');

    // Hooks had their chance after the repeats: still exactly one event, with the provider's id.
    await laterReceiptHooked('+15551230012');
    const mine = String(messageTo('+15551230002').id);
    const events = hookEvents().filter((e) => e.message_id === mine);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_type: 'deliv',
      message_id: String(messageTo('+15551230002').id),
      event_data: { provider_id: sid, status: 'delivered' },
    });
  });

  it('forged, keyless and unknown receipts are refused and write nothing', async () => {
    await sendSms(106, '+15551230003');
    await expect.poll(() => messageTo('+15551230003')?.provider_id, { timeout: 10_000 }).toMatch(/^SM/);
    const sid = String(messageTo('+15551230003').provider_id);
    const body = new URLSearchParams({ MessageSid: sid, MessageStatus: 'delivered' }).toString();
    expect((await receipt('twilio', body)).statusCode).toBe(401);
    expect((await receipt('twilio', body, { key: `${TWILIO_KEY}x` })).statusCode).toBe(401);
    // The other sender's key is not this one's.
    expect((await receipt('twilio', body, { key: VONAGE_KEY })).statusCode).toBe(401);
    // The other account's sender of the same name has its own key, and does not know this message.
    expect((await receipt('twilio', body, { key: 'second-account-twilio-key' })).statusCode).toBe(404);
    const unknown = await receipt(
      'twilio',
      new URLSearchParams({ MessageSid: 'SM-nope', MessageStatus: 'delivered' }).toString(),
      { key: TWILIO_KEY },
    );
    expect(unknown.statusCode).toBe(404);
    expect((await receipt('nobody', body, { key: TWILIO_KEY })).statusCode).toBe(404);
    expect((await receipt('twilio', 'MessageStatus=delivered', { key: TWILIO_KEY })).statusCode).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: `/receipts/twilio?key=${TWILIO_KEY}` })).statusCode).toBe(405);
    expect(messageTo('+15551230003')).toMatchObject({ status: 'sent', receipt_status: null });
    await laterReceiptHooked('+15551230013');
    const refused = String(messageTo('+15551230003').id);
    expect(hookEvents().filter((e) => e.message_id === refused)).toEqual([]);
  });
});

describe('a JSON gateway that answers 200 with its verdict inside (Vonage shape)', () => {
  it('sends a JSON body of rendered templates, keeps the id, and fails when the answer says so', async () => {
    await sendSms(107, '+15551230004');
    await expect.poll(() => messageTo('+15551230004')?.status, { timeout: 10_000 }).toBe('sent');
    const sent = JSON.parse(gateway.requests[0].body);
    expect(sent).toEqual({
      api_key: 'k',
      to: '+15551230004',
      from: 'Shop',
      text: 'Code 12 & 34 = "ok"\nbye for Ann',
      'client-ref': expect.stringMatching(/^herald\.\d+\.1$/),
      meta: { n: 1, on: true },
    });
    expect(messageTo('+15551230004').provider_id).toMatch(/^V-\d+$/);

    vonageStatus = '1';
    await sendSms(107, '+15551230005');
    await expect.poll(() => messageTo('+15551230005')?.status, { timeout: 10_000 }).toBe('failed');
    expect(messageTo('+15551230005').last_error).toMatch(/^HTTP 200, the answer reports a failure: .*Throttled/);
  });

  it('a JSON receipt with the key in a header moves the message to undelivered with the reason', async () => {
    await sendSms(107, '+15551230006');
    await expect.poll(() => messageTo('+15551230006')?.provider_id, { timeout: 10_000 }).toMatch(/^V-/);
    const id = String(messageTo('+15551230006').provider_id);
    const body = JSON.stringify({
      msisdn: '15551230006',
      to: 'Shop',
      messageId: id,
      status: 'failed',
      'err-code': '6',
    });
    expect(
      (await receipt('vonage', body, { header: 'wrong-key-0123456789', type: 'application/json' })).statusCode,
    ).toBe(401);
    const res = await receipt('vonage', body, { header: VONAGE_KEY, type: 'application/json' });
    expect(res.statusCode).toBe(200);
    expect(messageTo('+15551230006')).toMatchObject({
      status: 'undelivered',
      receipt_status: 'failed',
      receipt_reason: '6',
    });
    await expect
      .poll(() => hooks.requests.flatMap((r) => r.json as { event_type: string }[]).map((e) => e.event_type), {
        timeout: 5000,
      })
      .toEqual(['undeliv']);
    // messages/list shows the provider's id and the receipt.
    const list = await h.post('messages/list', { token: TOKEN, trigger_id: 107, status: ['undelivered'] });
    expect((list.json.data as Record<string, unknown>[])[0]).toMatchObject({
      status: 'undelivered',
      provider_id: id,
      receipt_status: 'failed',
      receipt_reason: '6',
      receipt_at: expect.any(String),
    });
  });

  it("a receipt naming Herald's own message id (the gateway echoed client-ref) finds the message too", async () => {
    await sendSms(107, '+15551230007');
    await expect.poll(() => messageTo('+15551230007')?.status, { timeout: 10_000 }).toBe('sent');
    const m = messageTo('+15551230007');
    const res = await receipt('vonage', JSON.stringify({ messageId: `herald.${m.id}.1`, status: 'delivered' }), {
      key: VONAGE_KEY,
      type: 'application/json',
    });
    expect(res.statusCode).toBe(200);
    expect(messageTo('+15551230007').status).toBe('delivered');
    // Another account's id form names nothing here.
    const other = await receipt('vonage', JSON.stringify({ messageId: `herald.${m.id}.2`, status: 'delivered' }), {
      key: VONAGE_KEY,
      type: 'application/json',
    });
    expect(other.statusCode).toBe(404);
  });
});
