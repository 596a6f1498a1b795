// A receiver in a process of its own for the delivery benchmark: an SMTP server (smtp-server)
// and an HTTP endpoint that only count what they accept. Prints its ports as one JSON line and
// answers GET /count with the counts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

let mails = 0;
let posts = 0;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients: 200,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      mails++;
      callback();
    });
  },
});
smtp.on('error', () => undefined);
const http = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') {
    res.end(JSON.stringify({ mails, posts }));
    return;
  }
  req.on('data', () => undefined);
  req.on('end', () => {
    posts++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
console.log(
  JSON.stringify({ smtp: (smtp.server.address() as AddressInfo).port, http: (http.address() as AddressInfo).port }),
);
