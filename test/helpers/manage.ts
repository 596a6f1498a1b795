// Shortcuts for the management-method tests (test/http/triggers-manage.test.ts, objects.test.ts):
// error assertions in JSON and XML, XML request bodies, and the account's config version.
import { expect } from 'vitest';
import { LEAK, rows, WRITE_TOKEN, xmlValues } from './api.js';
import type { Harness, Response } from './harness.js';

/** The highest id of each kind in test/fixtures/http-api.json: API ids must be above them. */
export const FIXTURE_MAX_IDS = { databases: 3, resources: 31, templates: 8, triggers: 200 };

export function expectError(res: Response, code: number, debug?: RegExp | string): void {
  expect(res.status, res.body).toBe(code);
  expect(Object.keys(res.json)).toEqual(['error', 'error_debug', 'error_text']);
  expect(res.json.error).toBe(code);
  if (typeof debug === 'string') expect(res.json.error_debug).toBe(debug);
  else if (debug) expect(res.json.error_debug).toMatch(debug);
  expect(res.body).not.toMatch(LEAK);
}

export function expectXmlError(res: Response, code: number, debug?: RegExp): void {
  expect(res.status, res.body).toBe(code);
  expect(res.headers['content-type']).toContain('application/xml');
  expect(res.body).toMatch(
    new RegExp(`^<xml><error>${code}</error><error_debug>[^<]+</error_debug><error_text>[^<]+</error_text></xml>$`),
  );
  if (debug) expect(xmlValues(res.body, 'error_debug')[0]).toMatch(debug);
}

export function expectOk(res: Response): Record<string, unknown> {
  expect(res.status, res.body).toBe(200);
  expect(res.json.error).toBe(0);
  return res.json;
}

/** An XML request body: `<xml><token>…</token>` then `inner`. */
export const xml = (inner: string, token = WRITE_TOKEN): string => `<xml><token>${token}</token>${inner}</xml>`;

export function configVersion(h: Harness, accountId = 1): number {
  return rows<{ config_version: number }>(h, 'SELECT config_version FROM accounts WHERE id = ?', accountId)[0]
    .config_version;
}
