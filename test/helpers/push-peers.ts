// Real protocol peers of the push services, on loopback: a Web Push service that checks the VAPID
// token and decrypts the aes128gcm payload with the subscription's private key (RFC 8291, 8188,
// 8292), an FCM service (an OAuth2 token endpoint that verifies the service account's JWT, a
// send endpoint that checks the access token) and an APNs service over HTTP/2 (h2c) that verifies
// the ES256 provider token. Each records what it accepted and answers as the real service does.
import {
  createECDH,
  createHash,
  createPublicKey,
  createDecipheriv,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  verify,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createH2Server, constants } from 'node:http2';
import type { AddressInfo } from 'node:net';

export function verifyJwt(
  token: string,
  key: KeyObject,
  alg: 'ES256' | 'RS256',
): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c, s] = token.split('.');
  if (!h || !c || !s) throw new Error('not a JWT');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  if (header.alg !== alg) throw new Error(`alg ${String(header.alg)}`);
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${c}`),
    alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
    Buffer.from(s, 'base64url'),
  );
  if (!ok) throw new Error('bad signature');
  return { header, claims: JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown> };
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });

async function listen(server: {
  listen(port: number, host: string, cb: () => void): unknown;
  address(): unknown;
}): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

// ---------------------------------------------------------------- Web Push

/** A browser's side of a push subscription: its key pair and auth secret. */
export interface BrowserSubscription {
  json: string;
  endpoint: string;
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
}

/** The VAPID key pair a sender is configured with, as `web-push generate-vapid-keys` prints it. */
export function vapidKeys(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    publicKey: ecdh.getPublicKey().toString('base64url'),
    // 32 bytes, as web-push writes it (getPrivateKey() drops leading zero bytes: one key in 256).
    privateKey: Buffer.concat([Buffer.alloc(32), ecdh.getPrivateKey()])
      .subarray(-32)
      .toString('base64url'),
  };
}

function p256PublicKey(raw: Buffer): KeyObject {
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
}

/** RFC 8291 decryption of one aes128gcm record with the subscription's private key. */
export function decryptWebPush(body: Buffer, sub: BrowserSubscription): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20];
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const uaPublic = sub.ecdh.getPublicKey();
  const secret = sub.ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', secret, sub.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error('no last-record delimiter');
  return plain.subarray(0, end).toString('utf8');
}

export interface WebPushDelivery {
  path: string;
  payload: Record<string, unknown>;
  ttl: string | undefined;
  vapid: Record<string, unknown>;
}

export interface WebPushService {
  origin: string;
  received: WebPushDelivery[];
  /** Problems the service refused requests for (bad token, undecryptable body). */
  refused: string[];
  subscribe(id: string): BrowserSubscription;
  /** The status a subscription's endpoint answers with (default 201). */
  answer: Map<string, number>;
  close(): Promise<void>;
}

export async function startWebPushService(vapidPublicKey: string): Promise<WebPushService> {
  const subs = new Map<string, BrowserSubscription>();
  const vapidKey = p256PublicKey(Buffer.from(vapidPublicKey, 'base64url'));
  // A token is verified once, as a push service would (it is reused for hours).
  const verified = new Map<string, Record<string, unknown>>();
  let messages = 0;
  const service: WebPushService = {
    origin: '',
    received: [],
    refused: [],
    answer: new Map(),
    subscribe(id) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const endpoint = `${service.origin}/push/${id}`;
      const json = JSON.stringify({
        endpoint,
        expirationTime: null,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      });
      const sub = { json, endpoint, ecdh, auth };
      subs.set(id, sub);
      return sub;
    },
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const id = (req.url ?? '').replace(/^\/push\//, '');
    const refuse = (status: number, why: string) => {
      service.refused.push(why);
      res.writeHead(status).end(why);
    };
    const sub = subs.get(id);
    if (!sub) return refuse(404, 'no such subscription');
    const m = /^vapid t=([^,]+),\s*k=(.+)$/.exec(req.headers.authorization ?? '');
    if (!m || m[2] !== vapidPublicKey) return refuse(401, 'no VAPID token with the expected key');
    let vapid: Record<string, unknown>;
    try {
      vapid = verified.get(m[1]) ?? verifyJwt(m[1], vapidKey, 'ES256').claims;
      verified.set(m[1], vapid);
    } catch (err) {
      return refuse(401, `VAPID: ${(err as Error).message}`);
    }
    const now = Date.now() / 1000;
    if (
      vapid.aud !== service.origin ||
      typeof vapid.exp !== 'number' ||
      vapid.exp < now ||
      vapid.exp > now + 86_400 ||
      !String(vapid.sub).startsWith('mailto:')
    ) {
      return refuse(403, `VAPID claims: ${JSON.stringify(vapid)}`);
    }
    if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(415, 'not aes128gcm');
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(decryptWebPush(body, sub)) as Record<string, unknown>;
    } catch (err) {
      return refuse(400, `cannot decrypt: ${(err as Error).message}`);
    }
    const status = service.answer.get(id) ?? 201;
    if (status === 201)
      service.received.push({ path: req.url ?? '', payload, ttl: req.headers.ttl as string | undefined, vapid });
    res.writeHead(status, status === 201 ? { location: `${service.origin}/messages/${++messages}` } : {}).end();
  });
  service.origin = `http://127.0.0.1:${await listen(server)}`;
  service.close = () => new Promise((r) => server.close(() => r()));
  return service;
}

// ---------------------------------------------------------------- FCM

export interface FcmService {
  url: string;
  /** The key file Google would issue (its private key made for the test). */
  serviceAccount: Record<string, string>;
  tokenRequests: number;
  sent: { token: string; notification: Record<string, unknown>; data: Record<string, unknown> }[];
  refused: string[];
  /** Device tokens FCM no longer knows (404 UNREGISTERED). */
  unregistered: Set<string>;
  close(): Promise<void>;
}

export async function startFcmService(projectId = 'herald-test'): Promise<FcmService> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issued = new Set<string>();
  let n = 0;
  const service: FcmService = {
    url: '',
    serviceAccount: {},
    tokenRequests: 0,
    sent: [],
    refused: [],
    unregistered: new Set(),
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    const body = (await readBody(req)).toString();
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.url === '/token') {
      service.tokenRequests++;
      const form = new URLSearchParams(body);
      try {
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') throw new Error('grant_type');
        const { header, claims } = verifyJwt(form.get('assertion') ?? '', publicKey, 'RS256');
        if (
          header.kid !== 'key-1' ||
          claims.iss !== service.serviceAccount.client_email ||
          claims.aud !== `${service.url}/token`
        )
          throw new Error('claims');
        if (claims.scope !== 'https://www.googleapis.com/auth/firebase.messaging') throw new Error('scope');
      } catch (err) {
        service.refused.push(`token: ${(err as Error).message}`);
        return json(400, { error: 'invalid_grant' });
      }
      const token = `ya29.${randomBytes(12).toString('hex')}`;
      issued.add(token);
      return json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
    }
    if (req.url !== `/v1/projects/${projectId}/messages:send`)
      return json(404, { error: { code: 404, status: 'NOT_FOUND' } });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !issued.has(bearer)) {
      service.refused.push('send: access token not issued here');
      return json(401, {
        error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' },
      });
    }
    const message = (JSON.parse(body) as { message: FcmService['sent'][number] }).message;
    if (service.unregistered.has(message.token)) {
      return json(404, {
        error: {
          code: 404,
          message: 'Requested entity was not found.',
          status: 'NOT_FOUND',
          details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }],
        },
      });
    }
    service.sent.push(message);
    return json(200, { name: `projects/${projectId}/messages/0:${++n}` });
  });
  service.url = `http://127.0.0.1:${await listen(server)}`;
  service.serviceAccount = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: 'key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: `herald@${projectId}.iam.gserviceaccount.com`,
    token_uri: `${service.url}/token`,
  };
  service.close = () => new Promise((r) => server.close(() => r()));
  return service;
}

// ---------------------------------------------------------------- APNs

export interface ApnsService {
  url: string;
  teamId: string;
  keyId: string;
  /** The .p8 key Apple would issue (made for the test). */
  privateKeyPem: string;
  received: { token: string; apnsId: string; topic: string; payload: Record<string, unknown> }[];
  refused: string[];
  /** Answers for device tokens: status and reason, consumed in order (then 200). */
  answers: Map<string, { status: number; reason: string }[]>;
  /** Distinct provider tokens seen, and HTTP/2 sessions opened. */
  jwts: Set<string>;
  sessions: number;
  close(): Promise<void>;
}

export async function startApnsService(topic = 'com.example.shop'): Promise<ApnsService> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const service: ApnsService = {
    url: '',
    teamId: 'TEAM123456',
    keyId: 'KEY1234567',
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    received: [],
    refused: [],
    answers: new Map(),
    jwts: new Set(),
    sessions: 0,
    close: async () => {},
  };
  const server = createH2Server();
  server.on('session', () => service.sessions++);
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const answer = (status: number, reason?: string, extra: Record<string, string> = {}) => {
        stream.respond({
          [constants.HTTP2_HEADER_STATUS]: status,
          'apns-id': String(headers['apns-id'] ?? ''),
          ...extra,
        });
        stream.end(
          reason ? JSON.stringify({ reason, ...(status === 410 ? { timestamp: Date.now() } : {}) }) : undefined,
        );
      };
      const path = String(headers[constants.HTTP2_HEADER_PATH]);
      const token = /^\/3\/device\/([0-9a-f]+)$/.exec(path)?.[1];
      if (headers[constants.HTTP2_HEADER_METHOD] !== 'POST' || !token) return answer(405, 'MethodNotAllowed');
      const jwt = /^bearer (.+)$/.exec(String(headers.authorization))?.[1] ?? '';
      if (!service.jwts.has(jwt)) {
        // Verified once, then known (APNs too caches a provider token it has checked).
        try {
          const { header, claims } = verifyJwt(jwt, publicKey, 'ES256');
          if (
            header.kid !== service.keyId ||
            claims.iss !== service.teamId ||
            typeof claims.iat !== 'number' ||
            Math.abs(claims.iat - Date.now() / 1000) > 3600
          )
            throw new Error('claims');
        } catch (err) {
          service.refused.push(`jwt: ${(err as Error).message}`);
          return answer(403, 'InvalidProviderToken');
        }
        service.jwts.add(jwt);
      }
      if (headers['apns-topic'] !== topic) return answer(400, 'DeviceTokenNotForTopic');
      if (headers['apns-push-type'] !== 'alert') return answer(400, 'InvalidPushType');
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(String(headers['apns-id'])))
        return answer(400, 'BadMessageId');
      const planned = service.answers.get(token)?.shift();
      if (planned) return answer(planned.status, planned.reason, planned.status === 429 ? { 'retry-after': '0' } : {});
      service.received.push({
        token,
        apnsId: String(headers['apns-id']),
        topic: String(headers['apns-topic']),
        payload: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
      });
      answer(200);
    });
  });
  service.url = `http://127.0.0.1:${await listen(server)}`;
  service.close = () =>
    new Promise((r) => {
      server.close(() => r());
      // Sessions left open by a sender would keep the server up.
      setTimeout(() => r(), 200).unref();
    });
  return service;
}

/** A hex device token, as iOS gives one. */
export const deviceToken = (label: string): string => createHash('sha256').update(label).digest('hex');
