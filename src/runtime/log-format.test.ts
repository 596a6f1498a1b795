// Readable log lines: the head (time, level, thread, message), the other fields as key=value,
// an error's stack below; JSON that is not a log line passes through.
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
      /^\d\d:\d\d:\d\d\.\d{3} INFO  Herald is listening {2}url=http:\/\/127\.0\.0\.1:8080 workers=1\n$/,
    );
    expect(line).not.toContain('pid');
    expect(line).not.toContain('hostname');
  });

  it('names a thread other than the main one, quotes text with spaces, and shows a 4xx line whole', () => {
    const [line] = linesOf(
      (l) =>
        l.info(
          { logId: 'ab12', status: 400, error: 400, error_debug: 'db_id: expected an integer', account: 1 },
          'request',
        ),
      'herald-engine',
    );
    expect(line).toContain(
      ' INFO  [engine] request  logId=ab12 status=400 error=400 error_debug="db_id: expected an integer" account=1',
    );
  });

  it("prints an error's message and stack below its line, scrubbed like JSON lines", () => {
    const [line] = linesOf((l) =>
      l.error({ err: new Error('connect to smtp://shop:pw@mail.internal failed') }, 'send failed'),
    );
    const [head, ...rest] = line.trimEnd().split('\n');
    expect(head).toMatch(/ ERROR send failed$/);
    expect(rest[0]).toBe('    Error: connect to smtp://***@mail.internal failed');
    expect(line).not.toContain(':pw@');
  });

  it('colors the level only when asked', () => {
    const json = JSON.stringify({ level: 40, time: 0, msg: 'careful' });
    expect(prettyLine(json, true)).toContain('\x1b[33mWARN \x1b[0m');
    expect(prettyLine(json, false)).not.toContain('\x1b');
  });

  it('passes through what is not JSON', () => {
    expect(prettyLine('plain text\n', false)).toBe('plain text\n');
  });
});
