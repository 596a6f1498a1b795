// The file sender: an email becomes message-<id>.eml (the MIME an SMTP server would get), SMS and
// push message-<id>.<channel>.json; a re-sent message replaces its own file; a folder that cannot
// be written is a failure worth retrying.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmailOut, PushOut, SmsOut } from '../core/delivery/outgoing.js';
import { fileSender } from './file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'herald-outbox-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mail = (subject: string): EmailOut => ({
  channel: 'email',
  ref: 12,
  messageId: '<herald.12.1@example.com>',
  from: { address: 'shop@example.com' },
  to: 'ann@example.com',
  subject,
  text: 'Hello',
  attachments: [],
  headers: {},
});

describe('the file sender', () => {
  it('writes an email as .eml, and a re-send replaces it', async () => {
    const outbox = join(dir, 'outbox');
    const s = fileSender({ id: 1, accountId: 1, name: 'outbox', type: 'file', dir: outbox });
    expect(await s.send(mail('First'))).toEqual({ ok: true });
    expect(await s.send(mail('Again'))).toEqual({ ok: true });
    expect(readdirSync(outbox)).toEqual(['message-12.eml']);
    const parsed = await simpleParser(readFileSync(join(outbox, 'message-12.eml')));
    expect(parsed.subject).toBe('Again');
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '').toBe('ann@example.com');
    expect(parsed.messageId).toBe('<herald.12.1@example.com>');
  });

  it('writes SMS and push as JSON with the provider body', async () => {
    const s = fileSender({ id: 1, accountId: 1, name: 'outbox', type: 'file', dir });
    const sms: SmsOut = {
      channel: 'sms',
      ref: 5,
      messageId: 'm5',
      to: '+79001112233',
      text: 'Code',
      vars: { lead: {}, subscription: {} },
    };
    const push: PushOut = {
      channel: 'push',
      ref: 6,
      messageId: 'm6',
      to: { provider: 'ios-apns', subscription_id: 'T' },
      title: 'T',
      text: 'X',
      url: 'u',
      image: 'i',
      vars: { lead: {}, subscription: {} },
    };
    await s.send(sms);
    await s.send(push);
    expect(readdirSync(dir).sort()).toEqual(['message-5.sms.json', 'message-6.push.json']);
    expect(JSON.parse(readFileSync(join(dir, 'message-5.sms.json'), 'utf8'))).toEqual({
      channel: 'sms',
      to: '+79001112233',
      text: 'Code',
      message_id: 'm5',
    });
    expect(JSON.parse(readFileSync(join(dir, 'message-6.push.json'), 'utf8'))).toMatchObject({
      channel: 'push',
      title: 'T',
      message_id: 'm6',
    });
  });

  it('answers a transient failure when the outbox cannot be written', async () => {
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const s = fileSender({ id: 1, accountId: 1, name: 'outbox', type: 'file', dir: join(blocker, 'outbox') });
    expect(await s.send(mail('x'))).toMatchObject({
      ok: false,
      transient: true,
      error: expect.stringMatching(/^file sender: /),
    });
  });
});
