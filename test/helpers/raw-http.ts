// An HTTP/1.1 client on a bare socket, for tests that control exactly which bytes reach the
// server and when: headers without a body, a body in pieces, a body that never ends. It reports
// the answer as soon as it is complete and when the server closes the connection.
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  socket: Socket;
  /** Writes more of the request. */
  send(data: string | Buffer): void;
  /** The server's answer (rejects if the connection ends without one). */
  answer: Promise<RawAnswer>;
  /** Resolves when the connection is closed, by either side. */
  closed: Promise<void>;
}

/** Opens a connection and sends `head` (request line and headers, without the blank line) and `body`. */
export function openRequest(port: number, head: string[], body: string | Buffer = ''): RawExchange {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = Buffer.alloc(0);
  let settle: { resolve: (a: RawAnswer) => void; reject: (e: Error) => void } | undefined;
  const answer = new Promise<RawAnswer>((resolve, reject) => (settle = { resolve, reject }));
  const parse = (): RawAnswer | undefined => {
    const end = received.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const lines = received.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? NaN);
    const rest = received.subarray(end + 4);
    if (Number.isFinite(length) && rest.length < length) return undefined;
    return { status, headers, body: rest.subarray(0, Number.isFinite(length) ? length : rest.length).toString('utf8') };
  };
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
    const a = parse();
    if (a) settle?.resolve(a);
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      const a = parse();
      if (a) settle?.resolve(a);
      else settle?.reject(new Error(`connection closed without an answer (${received.length} bytes received)`));
      resolve();
    }),
  );
  socket.write(`${head.join('\r\n')}\r\n\r\n`);
  if (body.length > 0) socket.write(body);
  return { socket, send: (data) => socket.write(data), answer, closed };
}
