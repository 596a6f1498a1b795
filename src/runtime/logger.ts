// Structured JSON logs (pino). Secrets never reach a log line: tokens are not logged at all,
// and these paths are redacted wherever they appear.
import pino, { type Logger } from 'pino';

export function createLogger(level: string, name = 'herald'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'secret', '*.secret', 'password', '*.password'], censor: '[redacted]' },
  }, pino.destination({ dest: 1, sync: false }));
}
