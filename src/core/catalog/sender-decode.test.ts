// A webpush sender's VAPID key pair is checked when the provisioning file is applied.
import { createECDH } from 'node:crypto';
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import { decodeSenderSettings } from './sender-decode.js';

/** A key pair whose private key, as Node's ECDH writes it, has lost a leading zero byte. */
function shortKeyPair(): { publicKey: string; privateKey: string } {
  for (;;) {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const priv = ecdh.getPrivateKey();
    if (priv.length < 32)
      return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: priv.toString('base64url') };
  }
}

describe('webpush sender settings', () => {
  it('take a VAPID private key written without its leading zero bytes, padded to 32', () => {
    const keys = shortKeyPair();
    const settings = decodeSenderSettings('webpush', {
      vapid: { subject: 'mailto:ops@example.com', public_key: keys.publicKey, private_key: keys.privateKey },
    }).webpush!;
    const padded = Buffer.from(settings.privateKey, 'base64url');
    expect(padded).toHaveLength(32);
    expect(padded.subarray(32 - Buffer.from(keys.privateKey, 'base64url').length)).toEqual(
      Buffer.from(keys.privateKey, 'base64url'),
    );
    // The library that signs the VAPID tokens takes it.
    expect(() =>
      webpush.getVapidHeaders(
        'https://push.example',
        'mailto:ops@example.com',
        keys.publicKey,
        settings.privateKey,
        'aes128gcm',
      ),
    ).not.toThrow();
  });

  it('refuse a private key of another pair, naming the path and never the key', () => {
    const a = shortKeyPair();
    const b = shortKeyPair();
    expect(() =>
      decodeSenderSettings('webpush', {
        vapid: { subject: 'mailto:ops@example.com', public_key: a.publicKey, private_key: b.privateKey },
      }),
    ).toThrow(/is not the private key of vapid.public_key/);
  });
});
