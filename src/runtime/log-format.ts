// Log lines a person can read on a terminal, written by pino-pretty:
// `[12:04:31.250] INFO (herald-engine): request {"logId":"ab12","status":400,…}`, an error's stack
// below its line, colored when asked. Used when HERALD_LOG_FORMAT is pretty (auto: when stdout is
// a terminal); JSON lines otherwise. The line pino writes is formatted in the writing thread, so a
// pretty logger flushes and exits like a JSON one.
import pino, { type DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';

const formatters = new Map<boolean, (line: string) => string>();

function formatter(color: boolean): (line: string) => string {
  let format = formatters.get(color);
  if (!format) {
    format = prettyFactory({
      colorize: color,
      translateTime: 'SYS:HH:MM:ss.l',
      // The line's head shows the level, time and thread; fastify's reqId repeats the logId.
      ignore: 'pid,hostname,reqId',
      singleLine: true,
      errorLikeObjectKeys: ['err'],
    }) as (line: string) => string;
    formatters.set(color, format);
  }
  return format;
}

/** One JSON log line → one readable line (plus the stack of an error). */
export function prettyLine(json: string, color: boolean): string {
  return formatter(color)(json);
}

/** A pino destination writing readable lines to a file descriptor (1 or 2). */
export function prettyDestination(
  fd: number,
  color: boolean,
): DestinationStream & { flush(cb?: (err?: Error) => void): void } {
  const out = pino.destination({ dest: fd, sync: false });
  const format = formatter(color);
  return {
    write: (line: string) => void out.write(format(line)),
    flush: (cb) => out.flush(cb),
  };
}
