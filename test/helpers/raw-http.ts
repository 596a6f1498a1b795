// An HTTP/1.1 client on a bare socket, for tests that control exactly which bytes reach the
// server and when: headers without a body, a body in pieces, a body that never ends. It reports
// each answer (an interim 100 Continue included) as soon as it is complete, and when the server
// closes the connection.
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
  /** The server's first answer (rejects if the connection ends without one). */
  answer: Promise<RawAnswer>;
  /** The answer after the last one taken (answer or next). */
  next(): Promise<RawAnswer>;
  /** Resolves when the connection is closed, by either side. */
  closed: Promise<void>;
}

/** The complete answers at the start of `data`, and how many bytes they took. */
function parseAnswers(data: Buffer, atClose: boolean): { answers: RawAnswer[]; used: number } {
  const answers: RawAnswer[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const lines = data.subarray(at, end).toString('latin1').split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = status < 200 ? 0 : Number(headers['content-length'] ?? NaN);
    const rest = data.length - (end + 4);
    if (!Number.isFinite(length) && !atClose) break;
    const take = Number.isFinite(length) ? length : rest;
    if (rest < take) break;
    answers.push({ status, headers, body: data.subarray(end + 4, end + 4 + take).toString('utf8') });
    at = end + 4 + take;
  }
  return { answers, used: at };
}

/** Opens a connection and sends `head` (request line and headers, without the blank line) and `body`. */
export function openRequest(port: number, head: string[], body: string | Buffer = ''): RawExchange {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = Buffer.alloc(0);
  const answers: RawAnswer[] = [];
  const waiting: { index: number; resolve: (a: RawAnswer) => void; reject: (e: Error) => void }[] = [];
  let ended = false;
  const settle = () => {
    for (const w of [...waiting]) {
      if (answers[w.index]) w.resolve(answers[w.index]);
      else if (ended)
        w.reject(new Error(`connection closed without answer ${w.index + 1} (${received.length} bytes unread)`));
      else continue;
      waiting.splice(waiting.indexOf(w), 1);
    }
  };
  const take = (atClose: boolean) => {
    const { answers: found, used } = parseAnswers(received, atClose);
    answers.push(...found);
    received = received.subarray(used);
    settle();
  };
  const wait = (index: number) =>
    new Promise<RawAnswer>((resolve, reject) => {
      waiting.push({ index, resolve, reject });
      settle();
    });
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d]);
    take(false);
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      ended = true;
      take(true);
      resolve();
    }),
  );
  socket.write(`${head.join('\r\n')}\r\n\r\n`);
  if (body.length > 0) socket.write(body);
  let taken = 0;
  const answer = wait(taken++);
  // An answer nobody waits for is not an error of the test.
  answer.catch(() => undefined);
  return { socket, send: (data) => socket.write(data), answer, next: () => wait(taken++), closed };
}
