// Compact JWS signing for the push services (RFC 7515/7519): ES256 for APNs provider tokens, RS256
// for the FCM service account's token request. node:crypto signs; ES256 signatures are the raw
// r‖s form JWS wants (ieee-p1363), not DER.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(
  alg: 'ES256' | 'RS256',
  key: KeyObject | string,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): string {
  const keyObject = typeof key === 'string' ? createPrivateKey(key) : key;
  const input = `${part({ alg, typ: 'JWT', ...header })}.${part(claims)}`;
  const signature = sign(
    'sha256',
    Buffer.from(input),
    alg === 'ES256' ? { key: keyObject, dsaEncoding: 'ieee-p1363' } : keyObject,
  );
  return `${input}.${signature.toString('base64url')}`;
}
