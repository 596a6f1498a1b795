// Log lines a person can read on a terminal: pino's JSON line turned into
// `12:04:31.250 INFO  message  key=value …` (the error's stack below it), colored when asked.
// Used when HERALD_LOG_FORMAT is pretty (auto: when stdout is a terminal); JSON otherwise.
import pino, { type DestinationStream } from 'pino';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[36m'],
  30: ['INFO ', '\x1b[32m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[41m'],
};
const RESET = '\x1b[0m';
/** Fields every line has, that the line's head already shows, or that repeat another (fastify's reqId is the logId). */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err', 'reqId']);

const clock = (ms: number): string => {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

const show = (v: unknown): string => (typeof v === 'string' && v !== '' && !/[\s"=]/.test(v) ? v : JSON.stringify(v));

/** One JSON log line → one readable line (plus the stack of an error). Unparseable text passes through. */
export function prettyLine(json: string, color: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const [label, tint] = LEVELS[Number(o.level)] ?? [String(o.level), ''];
  const thread = typeof o.name === 'string' && o.name !== 'herald' ? ` [${o.name.replace(/^herald-/, '')}]` : '';
  const fields = Object.entries(o)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(' ');
  const head = `${clock(Number(o.time))} ${color ? `${tint}${label}${RESET}` : label}${thread} ${String(o.msg ?? '')}${fields ? `  ${color ? `\x1b[90m${fields}${RESET}` : fields}` : ''}`;
  const err = o.err as { message?: string; stack?: string } | undefined;
  const tail = err ? `\n    ${(err.stack ?? err.message ?? '').split('\n').join('\n    ')}` : '';
  return `${head}${tail}\n`;
}

/** A pino destination writing readable lines to a file descriptor (1 or 2). */
export function prettyDestination(
  fd: number,
  color: boolean,
): DestinationStream & { flush(cb?: (err?: Error) => void): void } {
  const out = pino.destination({ dest: fd, sync: false });
  return {
    write: (line: string) => void out.write(prettyLine(line, color)),
    flush: (cb) => out.flush(cb),
  };
}
