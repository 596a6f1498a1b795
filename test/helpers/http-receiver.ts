// A real HTTP server on loopback that records every request (SMS/push providers, action hooks)
// and answers with a programmable status.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Status (and headers) for the next answers; `undefined` → 200. */
  respond: { status: number; headers?: Record<string, string> } | undefined;
  /** Statuses for the next requests, one each, in order (before `respond` applies). */
  answers: number[];
  /** Requests answered with a status of 300 or more (not in `requests`), by path, in order. */
  refused: string[];
  waitFor(count: number, timeoutMs?: number, path?: string): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const receiver: HttpReceiver = {
    url: '',
    requests: [],
    respond: undefined,
    answers: [],
    refused: [],
    async waitFor(count, timeoutMs = 15_000, path) {
      const until = Date.now() + timeoutMs;
      const matching = () => receiver.requests.filter((r) => path === undefined || r.path === path);
      while (matching().length < count) {
        if (Date.now() > until)
          throw new Error(`expected ${count} requests${path ? ` to ${path}` : ''}, got ${matching().length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return matching();
    },
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const queued = receiver.answers.shift();
      const answer = queued !== undefined ? { status: queued, headers: undefined } : receiver.respond;
      if (!answer || answer.status < 300) {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        receiver.requests.push({ path: req.url ?? '', headers: req.headers, body, json });
      } else receiver.refused.push(req.url ?? '');
      res.writeHead(answer?.status ?? 200, { 'content-type': 'application/json', ...answer?.headers });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}
