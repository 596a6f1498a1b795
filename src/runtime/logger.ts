// Structured logs (pino): JSON lines, or readable ones on a terminal (log-format.ts). Secrets never reach a log line: tokens are not logged at all, the
// paths below are redacted wherever they appear, and error texts (which may quote a URL with
// credentials, or a query string with a token) are scrubbed before they are written.
import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyDestination } from './log-format.js';

const SECRET_KEYS = ['token', 'authorization', 'secret', 'password', 'pass', 'hookSecret', 'hook_secret'];
const REDACT = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]).concat([
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
]);

/** `scheme://user:password@host` → `scheme://***@host`; `?token=…` → `?token=[redacted]`; `Bearer …` → `Bearer [redacted]`. */
export function scrubSecrets(text: string): string {
  return (
    text
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]*@/gi, '$1***@')
      .replace(
        /([?&;](?:token|access_token|password|pass|secret|api_key|apikey|key|assertion)=)[^&\s#'"]*/gi,
        '$1[redacted]',
      )
      .replace(/\b(Bearer|Basic|bearer)\s+[A-Za-z0-9._~+/=-]+/g, '$1 [redacted]')
      // A Web Push VAPID authorization (`vapid t=<JWT>, k=<key>`).
      .replace(/\bvapid t=[A-Za-z0-9._-]+/g, 'vapid t=[redacted]')
  );
}

/** pino's error serializer, with every string it keeps scrubbed (message, stack, causes, driver fields). */
function errSerializer(err: unknown): unknown {
  if (typeof err === 'string') return scrubSecrets(err);
  if (!(err instanceof Error)) return err;
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  const scrub = (o: Record<string, unknown>, depth: number) => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string') o[k] = scrubSecrets(v);
      else if (v && typeof v === 'object' && depth < 3) scrub(v as Record<string, unknown>, depth + 1);
    }
  };
  scrub(out, 0);
  return out;
}

export interface LogOutput {
  /** Readable lines instead of JSON (HERALD_LOG_FORMAT=pretty). */
  pretty?: boolean;
  /** Standard error instead of standard output (a command whose stdout is its result). */
  stderr?: boolean;
}

/** Where a logger writes: JSON or readable lines, to stdout or stderr. */
export function logDestination(out: LogOutput): DestinationStream {
  const fd = out.stderr ? 2 : 1;
  return out.pretty
    ? prettyDestination(fd, process.env.NO_COLOR === undefined)
    : pino.destination({ dest: fd, sync: false });
}

export function createLogger(level: string, name = 'herald', destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: errSerializer, error_debug: (v: unknown) => (typeof v === 'string' ? scrubSecrets(v) : v) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
