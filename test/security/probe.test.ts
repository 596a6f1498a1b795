import { afterAll, beforeAll, it } from 'vitest';
import { startApi, WRITE_TOKEN } from '../helpers/api.js';
import type { Harness } from '../helpers/harness.js';
let h: Harness;
beforeAll(async () => { h = await startApi(); });
afterAll(() => h.close());
it('probe', async () => {
  const B = 'campaigns/triggers/import_and_start_batch';
  const calls: [string, unknown, string?][] = [
    [B, { token: WRITE_TOKEN, trigger_id: 96, format: 'xml', data: [{ data: { email: 'a1@example.com' } }, { data: { 'bad\u0001key': 1, email: 'a2@example.com' } }, { data: { email: 'x' } }] }],
    [B, { token: WRITE_TOKEN, trigger_id: 96, format: 'xml', data: [{ data: { email: 'bad' } }] }],
    [B, `<xml><token>${WRITE_TOKEN}</token><trigger_id>96</trigger_id><data><email>a3@example.com</email></data><data><email>zz</email></data></xml>`],
    ['campaigns/triggers/import_and_start', { token: WRITE_TOKEN, trigger_id: 96, data: { email: 'a4@example.com' }, format: 'xml' }],
    [B, { token: WRITE_TOKEN, trigger_id: 96, matching: 'custom', data: [{ data: { email: 'a5@example.com' } }] }],
    [B, { token: WRITE_TOKEN, trigger_id: 96, matching: 'custom', field_name: 'nope', data: [{ data: { email: 'a5@example.com' } }] }],
    [B, { token: WRITE_TOKEN, trigger_id: 96, matching: 'phone', data: [{ data: { email: 'a5@example.com' } }] }],
    [B, { token: WRITE_TOKEN, trigger_id: 96, matching: 'push_sub', data: [{ data: { email: 'a5@example.com' } }] }],
    [B, { token: WRITE_TOKEN, trigger_id: 96, data: [{ data: { email: 'a6@example.com', attrs: { action: 'upsert', submatch: '__proto__.x', value: 1 } } }] }],
    [B, { token: WRITE_TOKEN, trigger_id: 96, data: [{ data: { email: 'a7@example.com', orders: { action: 'upsert', submatch: { id: 1 }, value: { id: 1, x: 2 } } } }] }],
    [B, { token: WRITE_TOKEN, trigger_id: 96, data: 5 }],
    [B, { token: WRITE_TOKEN, trigger_id: 96, data: [] }],
    [B, { token: WRITE_TOKEN, trigger_id: 96, subscription_filter: 5, data: [{}] }],
  ];
  for (const [m, b] of calls) {
    const res = await h.post(m, b);
    console.log(res.status, res.body.slice(0, 600));
  }
});
