// An smtp sender's DKIM key is checked when the provisioning file is applied: a malformed key, a
// key of another kind (neither RSA nor Ed25519) or too short is refused naming the sender and never quoting the key.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planProvisioning } from '../provisioning/file.js';
import { decodeSenderSettings } from './sender-decode.js';

const rsa = (bits: number) =>
  generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ecdsa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const good = rsa(2048);

async function problemsOf(dkim: unknown): Promise<string[]> {
  const file = {
    accounts: [{ id: 1, name: 'A', senders: [{ name: 'news-mail', type: 'smtp', url: 'smtp://127.0.0.1:25', dkim }] }],
  };
  const ownership = {
    accounts: new Set<number>(),
    databases: new Map(),
    resources: new Map(),
    templates: new Map(),
    triggers: new Map(),
    tokens: new Map(),
    receiptKeys: new Map(),
  };
  try {
    await planProvisioning({ file, env: {}, ownership, existing: async () => undefined, now: 0 });
    return [];
  } catch (err) {
    return (err as { problems?: string[] }).problems ?? [String(err)];
  }
}

describe('DKIM settings of an smtp sender', () => {
  it('keeps domain (lower case), selector and the PEM', () => {
    expect(
      decodeSenderSettings('smtp', {
        name: 'm',
        dkim: { domain: 'Shop.Example.', selector: 'herald1', private_key: good },
      }).dkim,
    ).toEqual({ domain: 'shop.example', selector: 'herald1', privateKey: good });
    expect(decodeSenderSettings('smtp', { name: 'm' }).dkim).toBeUndefined();
  });

  it('takes an Ed25519 key (Ed25519-SHA256 signatures, RFC 8463)', async () => {
    expect(
      decodeSenderSettings('smtp', {
        name: 'm',
        dkim: { domain: 'shop.example', selector: 'ed1', private_key: ed25519 },
      }).dkim,
    ).toEqual({ domain: 'shop.example', selector: 'ed1', privateKey: ed25519 });
    expect(await problemsOf({ domain: 'shop.example', selector: 'ed1', private_key: ed25519 })).toEqual([]);
  });

  it('refuses a malformed key, an ECDSA key and a short RSA key, naming the sender and not the key', async () => {
    for (const [key, text] of [
      [
        '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
        /dkim\.private_key: is not a private key in PEM: the DKIM key of sender "news-mail"/,
      ],
      [ecdsa, /dkim\.private_key: must be an RSA or Ed25519 key: the DKIM key of sender "news-mail"/],
      [rsa(512), /dkim\.private_key: must be an RSA key of at least 1024 bits: the DKIM key of sender "news-mail"/],
    ] as const) {
      const problems = await problemsOf({ domain: 'shop.example', selector: 's1', private_key: key });
      expect(problems.join('\n')).toMatch(text);
      expect(problems.join('\n')).not.toContain(key.split('\n')[1]);
    }
  });

  it('refuses a bad domain or selector, and dkim on a sender of another type', async () => {
    expect((await problemsOf({ domain: 'not a domain', selector: 's1', private_key: good })).join()).toMatch(
      /dkim\.domain: is not a domain name/,
    );
    expect((await problemsOf({ domain: 'shop.example', selector: 'a b', private_key: good })).join()).toMatch(
      /dkim\.selector: is not a DNS label/,
    );
    expect(() => decodeSenderSettings('file', { dkim: {} })).toThrow(/is not a setting of a file sender/);
    expect(await problemsOf({ domain: 'shop.example', selector: 's1', private_key: good })).toEqual([]);
  });
});
