// DKIM signatures checked by an independent verifier (mailauth) over bodies that take each path of
// the body hash: bodies Herald's MIME writes with nothing to normalise (hashed from the buffer as
// it is) and bodies with tabs, runs of spaces, spaces at line ends and empty lines at the end.
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import type { EmailOut } from '../core/delivery/outgoing.js';
import { dkimSigner, relaxedBody } from './dkim.js';
import { buildMail } from './mime.js';

const ed = generateKeyPairSync('ed25519');
const signer = dkimSigner({
  domain: 'shop.example',
  selector: 's1',
  privateKey: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
});
const record = `v=DKIM1; k=ed25519; p=${ed.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64')}`;
const resolver = async (name: string, type: string) => {
  if (type !== 'TXT' || name.toLowerCase() !== 's1._domainkey.shop.example')
    throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
  return [[record]];
};

const mail = (text: string | undefined, html: string | undefined): EmailOut => ({
  channel: 'email',
  ref: 1,
  messageId: '<herald.1.1@shop.example>',
  from: { address: 'news@shop.example' },
  to: 'ann@example.com',
  subject: 'Hi',
  ...(text !== undefined ? { text } : {}),
  ...(html !== undefined ? { html } : {}),
  attachments: [],
  headers: {},
});

async function verdict(raw: Buffer): Promise<string> {
  const result = await dkimVerify(raw, { resolver });
  return result.results[0]?.status.result ?? 'none';
}

describe('DKIM body hash', () => {
  const bodies: [string, string | undefined, string | undefined][] = [
    ['nothing to normalise', 'Plain text', '<p>Rich</p>'],
    ['empty lines at the end', 'Plain\r\n\r\n\r\n', '<p>x</p>\r\n\r\n'],
    ['a run of spaces', 'two  spaces', undefined],
    ['a tab', 'a\ttab', undefined],
    ['a space at a line end', 'end \r\nnext', undefined],
    ['a space at the very end', undefined, '<p>x</p> '],
    ['quoted-printable (a long line)', `${'x'.repeat(1200)}`, undefined],
    ['base64 (not ASCII)', 'Grüße', '<p>Grüße</p>'],
  ];
  for (const [name, text, html] of bodies)
    it(`verifies a body with ${name}, and fails once the body changes`, async () => {
      const raw = await signer.sign(buildMail(mail(text, html)).raw);
      expect(await verdict(raw)).toBe('pass');
      // The first byte of the body, changed.
      const altered = Buffer.from(raw);
      const at = altered.indexOf('\r\n\r\n') + 4;
      altered[at] = altered[at] === 0x41 ? 0x42 : 0x41;
      expect(await verdict(altered)).not.toBe('pass');
    });

  it('signs a message without a body', async () => {
    const raw = Buffer.from('From: news@shop.example\r\nTo: ann@example.com\r\nSubject: Hi\r\n\r\n');
    expect(await verdict(await signer.sign(raw))).toBe('pass');
  });

  it('relaxedBody: runs of WSP one space, none at line ends, no empty lines at the end', () => {
    expect(relaxedBody('a \t b \r\n\r\n')).toBe('a b\r\n');
    expect(relaxedBody('\r\n\r\n')).toBe('');
    expect(relaxedBody('x ')).toBe('x\r\n');
  });
});
