// The web console's static files: GET /console (the page) and /console/assets/<file> (its
// stylesheet and the compiled ES modules of src/console and src/client, from dist/). Only the
// files found there at start are served, by exact name. The console reads and writes data
// through the public API alone; these routes serve files, never data. A strict CSP: scripts,
// styles and connections from this origin only, no inline code, no framing.
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/ of the package, both from dist/http/ (compiled) and src/http/ (tests under tsx). */
export const DEFAULT_CONSOLE_ROOT = fileURLToPath(new URL('../../dist/', import.meta.url));

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
/** The folders of the root whose files the page may load. */
const SERVED = ['console', 'client'];

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Asset path (`console/main.js`) → file, for the servable files under `root`. */
export function consoleAssets(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const sub of SERVED) {
    for (const file of walk(join(root, sub))) {
      if (TYPES[extname(file)] && !file.endsWith('.test.js'))
        files.set(relative(root, file).split(sep).join('/'), file);
    }
  }
  return files;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cache-control', 'no-cache');
}

export function registerConsoleRoutes(app: FastifyInstance, root = DEFAULT_CONSOLE_ROOT): void {
  const page = join(root, 'console', 'index.html');
  const assets = consoleAssets(root);

  app.get('/console', async (_request, reply) => {
    secure(reply);
    if (!existsSync(page))
      return reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run npm run build.\n');
    return reply.type('text/html; charset=utf-8').send(await readFile(page));
  });

  app.get('/console/assets/*', async (request, reply) => {
    secure(reply);
    const file = assets.get((request.params as { '*': string })['*']);
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
    return reply.type(TYPES[extname(file)]).send(await readFile(file));
  });
}
