// Sealing for the links Herald puts in messages (unsubscribe, open pixel, click): AES-256-GCM with a
// random nonce, under a sub-key derived (HKDF-SHA256) from the server secret and a random salt that
// travels in the token. A process replaces its salt after 2^20 seals, so no key ever meets more than
// 2^20 random nonces (NIST SP 800-38D bounds a key at 2^32) — however many messages a server sends —
// while a seal costs one cipher set-up, not a key derivation.
//
// Sealed form: salt (12 bytes) · nonce (12) · ciphertext · tag (16). The caller puts its version
// byte in front and passes it as additional data, with the token's kind.
import { createCipheriv, createDecipheriv, hkdfSync, randomFillSync } from 'node:crypto';

const SALT = 12;
const IV = 12;
const TAG = 16;
export const SEAL_OVERHEAD = SALT + IV + TAG;
/** Seals under one salt before a new one is drawn. */
const SEALS_PER_SALT = 2 ** 20;
/** Sub-keys kept for opening (tokens arrive with many salts: every process's and every earlier one's). */
const OPEN_KEYS = 1024;

/** Random bytes from a pool refilled 4 KB at a time: one call for the nonces of ~340 seals. */
const pool = Buffer.alloc(IV * 340);
let at = pool.length;
function random(n: number): Buffer {
  if (at + n > pool.length) {
    randomFillSync(pool);
    at = 0;
  }
  // A copy: the pool is overwritten when refilled.
  const out = Buffer.from(pool.subarray(at, at + n));
  at += n;
  return out;
}

export class Sealer {
  private current: { secret: string; salt: Buffer; key: Buffer; left: number } | undefined;
  private readonly opening = new Map<string, Buffer>();

  /** `info`: what the keys are for (keys of different purposes never coincide). */
  constructor(
    private readonly info: string,
    private readonly sealsPerSalt = SEALS_PER_SALT,
  ) {}

  seal(secret: string, aad: Buffer, plain: Buffer | string): Buffer {
    let c = this.current;
    if (!c || c.secret !== secret || c.left === 0) {
      const salt = random(SALT);
      c = this.current = { secret, salt, key: this.derive(secret, salt), left: this.sealsPerSalt };
    }
    c.left--;
    const iv = random(IV);
    const cipher = createCipheriv('aes-256-gcm', c.key, iv);
    cipher.setAAD(aad);
    const body = typeof plain === 'string' ? cipher.update(plain, 'utf8') : cipher.update(plain);
    return Buffer.concat([c.salt, iv, body, cipher.final(), cipher.getAuthTag()]);
  }

  /** The plain text of `sealed`, or undefined when it was not sealed with this secret and data. */
  open(secret: string, aad: Buffer, sealed: Buffer): Buffer | undefined {
    if (sealed.length < SEAL_OVERHEAD) return undefined;
    const salt = sealed.subarray(0, SALT);
    const id = `${salt.toString('hex')} ${secret}`;
    let key = this.opening.get(id);
    if (!key) {
      key = this.derive(secret, salt);
      if (this.opening.size >= OPEN_KEYS) this.opening.clear();
      this.opening.set(id, key);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(SALT, SALT + IV));
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
      return Buffer.concat([decipher.update(sealed.subarray(SALT + IV, sealed.length - TAG)), decipher.final()]);
    } catch {
      return undefined;
    }
  }

  private derive(secret: string, salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', secret, salt, this.info, 32));
  }
}
