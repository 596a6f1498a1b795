// Readable log lines (pino-pretty): the head (time, level, thread, message), the other fields
// on the same line, an error's stack below; no pid, hostname or epoch time.
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { prettyLine } from './log-format.js';

function linesOf(log: (l: ReturnType<typeof createLogger>) => void, name = 'herald'): string[] {
  const out: string[] = [];
  const logger = createLogger('info', name, { write: (line: string) => void out.push(prettyLine(line, false)) });
  log(logger);
  return out;
}

describe('prettyLine', () => {
  it('writes time, level and message, then the fields; no pid, hostname or epoch', () => {
    const [line] = linesOf((l) => l.info({ url: 'http://127.0.0.1:8080', workers: 1 }, 'Herald is listening'));
    expect(line).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(herald\): Herald is listening \{"url":"http:\/\/127\.0\.0\.1:8080","workers":1\}\n$/,
    );
    expect(line).not.toContain('pid');
    expect(line).not.toContain('hostname');
  });

  it('names the thread and shows a 4xx line whole, on one line', () => {
    const [line] = linesOf(
      (l) =>
        l.info(
          { logId: 'ab12', status: 400, error: 400, error_debug: 'db_id: expected an integer', account: 1 },
          'request',
        ),
      'herald-engine',
    );
    expect(line).toContain(
      ' INFO (herald-engine): request {"logId":"ab12","status":400,"error":400,"error_debug":"db_id: expected an integer","account":1}',
    );
    expect(line.trimEnd()).not.toContain('\n');
  });

  it("prints an error's message and stack below its line, scrubbed like JSON lines", () => {
    const [line] = linesOf((l) =>
      l.error({ err: new Error('connect to smtp://shop:pw@mail.internal failed') }, 'send failed'),
    );
    const [head, ...rest] = line.trimEnd().split('\n');
    expect(head).toMatch(/ ERROR \(herald\): send failed/);
    expect(rest.join('\n')).toContain('Error: connect to smtp://***@mail.internal failed');
    expect(rest.join('\n')).toMatch(/\n\s+at /);
    expect(line).not.toContain(':pw@');
  });

  it('colors the level only when asked', () => {
    const json = JSON.stringify({ level: 40, time: 0, msg: 'careful' });
    expect(prettyLine(json, true)).toContain('\x1b[33mWARN\x1b[39m');
    expect(prettyLine(json, false)).not.toContain('\x1b');
  });

  it('passes through what is not JSON', () => {
    expect(prettyLine('plain text', false)).toContain('plain text');
  });
});
