// The push services for the push benchmark, in a process of their own: the Web Push, FCM and
// APNs peers of the tests (VAPID checked and every payload decrypted, the service account's JWT
// verified, ES256 provider tokens verified). Prints what a sender needs as one JSON line and
// answers GET /count with what each service accepted.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApnsService, startFcmService, startWebPushService } from '../test/helpers/push-peers.js';

const web = await startWebPushService(process.env.BENCH_VAPID_PUBLIC ?? '');
const fcm = await startFcmService();
const apns = await startApnsService();
const browser = web.subscribe('bench-browser');
const counter = createServer((_req, res) => {
  res.end(
    JSON.stringify({
      webpush: web.received.length,
      fcm: fcm.sent.length,
      apns: apns.received.length,
      refused: web.refused.length + fcm.refused.length + apns.refused.length,
      apnsSessions: apns.sessions,
      fcmTokenRequests: fcm.tokenRequests,
    }),
  );
});
await new Promise<void>((r) => counter.listen(0, '127.0.0.1', r));
console.log(
  JSON.stringify({
    count: `http://127.0.0.1:${(counter.address() as AddressInfo).port}`,
    webpush: { origin: web.origin, subscription: browser.json },
    fcm: { url: fcm.url, serviceAccount: fcm.serviceAccount },
    apns: { url: apns.url, teamId: apns.teamId, keyId: apns.keyId, privateKeyPem: apns.privateKeyPem },
  }),
);
