// The console's static routes on a bare fastify: the page and only the compiled .js/.css files
// of console/ and client/ are served, each with the strict CSP; a missing build is a clear 503.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleAssets, registerConsoleRoutes } from './console-routes.js';

const root = mkdtempSync(join(tmpdir(), 'herald-console-root-'));
for (const [path, text] of Object.entries({
  'console/index.html': '<!doctype html><title>c</title>',
  'console/main.js': 'export {};',
  'console/console.css': 'body{}',
  'console/main.js.map': '{}',
  'client/index.js': 'export {};',
  'client/deep/more.js': 'export {};',
  'http/app.js': 'secret',
  'package.json': '{}',
})) {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('console routes', () => {
  it('knows only the .js and .css files of console/ and client/', () => {
    expect([...consoleAssets(root).keys()].sort()).toEqual([
      'client/deep/more.js',
      'client/index.js',
      'console/console.css',
      'console/main.js',
    ]);
  });

  it('serves the page and its assets with the CSP, and 404 for anything else', async () => {
    const app = Fastify();
    registerConsoleRoutes(app, root);
    const page = await app.inject({ method: 'GET', url: '/console' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(CONSOLE_CSP).not.toMatch(/unsafe|\*/);
    const js = await app.inject({ method: 'GET', url: '/console/assets/client/deep/more.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(
      (await app.inject({ method: 'GET', url: '/console/assets/console/console.css' })).headers['content-type'],
    ).toBe('text/css; charset=utf-8');
    for (const url of [
      '/console/assets/http/app.js',
      '/console/assets/../package.json',
      '/console/assets/console/../../package.json',
      '/console/assets/console/main.js.map',
      '/console/assets/console/index.html',
      '/console/assets/%2e%2e/http/app.js',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('secret');
    }
    await app.close();
  });

  it('answers 503 with the fix when the console is not built', async () => {
    const app = Fastify();
    registerConsoleRoutes(app, join(root, 'nowhere'));
    const res = await app.inject({ method: 'GET', url: '/console' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await app.close();
  });
});
