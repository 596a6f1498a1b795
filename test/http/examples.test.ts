// The seed's examples (spec/examples), sent as published, in JSON and XML.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES, rows, startHarness, type Harness } from '../helpers/harness.js';

const example = (name: string) => readFileSync(`${EXAMPLES}${name}`, 'utf8');

describe('seed examples', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('JSON email matching: one profile updated twice, two messages', async () => {
    const res = await h.post('campaigns/triggers/import_and_start_batch', example('batch-email.request.json'), {
      contentType: 'application/json',
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-herald-log-id']).toBeTruthy();
    const result = res.json.result as { profile_id: string }[];
    expect(Object.keys(res.json)).toEqual(['error', 'error_text', 'result']);
    expect(res.json.error).toBe(0);
    expect(result).toHaveLength(2);
    expect(result[0].profile_id).toMatch(/^[0-9a-f]{24}$/);
    expect(result[1].profile_id).toBe(result[0].profile_id);

    const get = await h.post('profiles/get', {
      token: 'abcdefghijklmnqrstuvwxyz',
      db_id: 1,
      email: 'example@example.com',
    });
    const data = get.json.data as Record<string, unknown>;
    expect(data).toMatchObject({
      id: result[0].profile_id,
      _fname: 'Eva',
      _lname: 'Collins',
      phones: ['+79000000001'],
      email: 'example@example.com',
    });
    expect(data.subscriptions).toEqual([
      {
        channel: 'email',
        resource_id: 21,
        email: 'example@example.com',
        email_data: { email: 'example@example.com', domain: 'example.com', md5: '23463b99b62a72f26ed677cc556c44e8' },
        is_delete: false,
        status: 0,
        priority: 0,
        custom_fields: {},
        cats: [],
      },
    ]);
    const messages = rows<{ status: string; address: string }>(
      h,
      'SELECT status, address FROM messages WHERE profile_id = ?',
      result[0].profile_id,
    );
    expect(messages).toEqual([
      { status: 'scheduled', address: 'example@example.com' },
      { status: 'scheduled', address: 'example@example.com' },
    ]);
  });

  it('XML email matching answers in XML with the same effect', async () => {
    const res = await h.post('campaigns/triggers/import_and_start_batch', example('batch-email.request.xml'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/xml');
    const ids = [...res.body.matchAll(/<profile_id>([0-9a-f]{24})<\/profile_id>/g)].map((m) => m[1]);
    expect(res.body).toMatch(
      /^<xml><error>0<\/error><error_text>Successful operation<\/error_text><result><profile_id>[0-9a-f]{24}<\/profile_id><\/result><result>/,
    );
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
  });

  it('custom matching creates two profiles sharing an email (JSON, Custom_ID)', async () => {
    const res = await h.post('campaigns/triggers/import_and_start_batch', example('batch-custom.request.json'));
    expect(res.status).toBe(200);
    const result = res.json.result as { profile_id: string }[];
    expect(result).toHaveLength(2);
    expect(result[0].profile_id).not.toBe(result[1].profile_id);
    const again = await h.post('campaigns/triggers/import_and_start_batch', example('batch-custom.request.json'));
    expect(again.json.result).toEqual(result);
  });

  it('custom matching in XML (custom_field, array attribute)', async () => {
    const res = await h.post('campaigns/triggers/import_and_start_batch', example('batch-custom.request.xml'));
    expect(res.status).toBe(200);
    const ids = [...res.body.matchAll(/<profile_id>([0-9a-f]{24})<\/profile_id>/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
    const get = await h.post('profiles/get', {
      token: 'abcdefghijklmnqrstuvwxyz',
      db_id: 1,
      matching: 'custom',
      field_name: 'custom_field',
      field_value: 560,
    });
    expect(get.json.data).toMatchObject({ id: ids[1], _fname: 'Will', custom_field: 560 });
  });

  it('the malformed published example gets a clean 400', async () => {
    const res = await h.post(
      'campaigns/triggers/import_and_start_batch',
      example('batch-custom.request.as-published.json'),
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toBe(400);
    expect(res.json.error_text).toBe('Invalid request');
    expect(String(res.json.error_debug)).toMatch(/^invalid JSON: /);
    expect(res.body).not.toMatch(/at .*\.ts|node_modules/);
  });
});
