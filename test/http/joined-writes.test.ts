// Joined writes (src/http/joined-writes.ts): concurrent import_and_start requests of one account
// with the same parameters but their profile run as one batch — one launch row, one transaction —
// and each is answered as it would be alone: the stored result equals the same requests sent one
// after the other, a bad profile fails its own request only, parameters never leak between
// requests, and a group whose write fails runs each request alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, getProfile, rows, SINGLE, snapshot, startApi, WRITE_TOKEN } from '../helpers/api.js';
import { injectFault } from '../helpers/faults.js';
import { TEST_STORE, type Harness, type Response } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startApi(TEST_STORE === 'sqlite' ? { traceSql: true } : {});
});
afterAll(() => h.close());

let n = 0;
const uniq = (tag: string) => `${tag}.${++n}@example.com`;
const profile = (email: string, extra: Record<string, unknown> = {}) => ({
  email,
  subscriptions: [{ channel: 'email', resource_id: 21, email }],
  ...extra,
});
const single = (on: Harness, data: unknown, params: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  on.post(SINGLE, { token: WRITE_TOKEN, trigger_id: 96, ...params, data }, headers ? { headers } : {});
/** Sends every body at once (the requests meet in the dispatcher). */
const together = (on: Harness, bodies: unknown[], params: Record<string, unknown> = {}) =>
  Promise.all(bodies.map((data) => single(on, data, params)));

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([t, v]) => [t, v - (before[t] ?? 0)]));
}

describe('joined import_and_start requests', () => {
  it('run as one batch, each answered as alone, the result equal to the requests one by one', async () => {
    const shared = uniq('shared');
    const bodies: unknown[] = [
      ...Array.from({ length: 10 }, () => profile(uniq('j'))),
      profile(shared, { _fname: 'Ann' }),
      ...Array.from({ length: 5 }, () => profile(uniq('j'))),
      profile('broken'),
      profile(shared, { _lname: 'Lee' }),
      ...Array.from({ length: 6 }, () => profile(uniq('j'))),
    ];
    const bad = bodies.length - 8;
    const alone = await single(h, profile('broken'));
    expect(alone.status).toBe(400);

    const before = snapshot(h);
    const answers = await together(h, bodies);
    const after = snapshot(h);

    answers.forEach((res, i) => {
      if (i === bad) expect(res.json).toEqual(alone.json);
      else expect(res.status, res.body).toBe(200);
    });
    const ids = answers.map((res) => res.json.profile_id as string | undefined);
    expect(ids[10]).toBe(ids[bad + 1]);
    expect(new Set(ids.filter((id) => id !== undefined)).size).toBe(bodies.length - 2);
    expect(await getProfile(h, { email: shared })).toMatchObject({ id: ids[10], _fname: 'Ann', _lname: 'Lee' });
    // Joined: fewer launch rows than requests (each request alone stores one).
    const launched = diff(after, before).launches;
    expect(launched).toBeGreaterThan(0);
    expect(launched).toBeLessThan(bodies.length - 1);

    // The same requests one by one, on a Herald of their own: the same rows but the launches.
    const one = await startApi();
    try {
      const start = snapshot(one);
      const sequential: Response[] = [];
      for (const data of bodies) sequential.push(await single(one, data));
      expect(sequential.map((r) => r.status)).toEqual(answers.map((r) => r.status));
      const seq = diff(snapshot(one), start);
      expect(seq.launches).toBe(bodies.length - 1);
      expect({ ...diff(after, before), launches: 0 }).toEqual({ ...seq, launches: 0 });
      expect(await getProfile(one, { email: shared })).toMatchObject({ _fname: 'Ann', _lname: 'Lee' });
    } finally {
      await one.close();
    }
  });

  it("keep each request's own parameters: other custom_data or another delay is another group", async () => {
    const emails = Array.from({ length: 12 }, () => uniq('wave'));
    const answers = await Promise.all(
      emails.map((email, i) =>
        single(h, profile(email), i % 3 === 2 ? { timeout: { minutes: 1 } } : { custom_data: { wave: i % 3 } }),
      ),
    );
    for (const res of answers) expect(res.status, res.body).toBe(200);
    const byEmail = (email: string) =>
      rows<{ custom_data: string | null; due_at: number; created_at: number }>(
        h,
        'SELECT l.custom_data, m.due_at, m.created_at FROM messages m JOIN launches l ON l.id = m.launch_id WHERE m.address = ?',
        email,
      );
    emails.forEach((email, i) => {
      const [row, more] = byEmail(email);
      expect(more).toBeUndefined();
      if (i % 3 === 2) {
        expect(row?.custom_data ?? null).toBeNull();
        expect(Number(row?.due_at) - Number(row?.created_at)).toBe(60_000);
      } else {
        expect(JSON.parse(String(row?.custom_data))).toEqual({ wave: i % 3 });
        expect(Number(row?.due_at)).toBe(Number(row?.created_at));
      }
    });
  });

  it('never join requests with a Request-ID: each runs alone and is replayed as its own', async () => {
    const emails = Array.from({ length: 8 }, () => uniq('keyed'));
    const before = count(h, 'launches');
    const answers = await Promise.all(
      emails.map((email, i) => single(h, profile(email), {}, { 'Request-ID': `joined-keyed-${n}-${i}` })),
    );
    for (const res of answers) expect(res.status, res.body).toBe(200);
    expect(count(h, 'launches') - before).toBe(emails.length);
    const replay = await single(h, profile(emails[3] as string), {}, { 'Request-ID': `joined-keyed-${n}-3` });
    expect(replay.json.profile_id).toBe(answers[3]?.json.profile_id);
    expect(count(h, 'launches') - before).toBe(emails.length);
  });

  it('run each request alone, one after the other, when the group cannot be written: only the faulty one fails', async () => {
    const faulty = uniq('faulty');
    const emails = Array.from({ length: 9 }, () => uniq('ok'));
    emails.splice(5, 0, faulty);
    const heal = injectFault(h, {
      table: 'messages',
      op: 'INSERT',
      when: `NEW.address = '${faulty}'`,
      message: 'disk full',
    });
    let answers: Response[];
    try {
      answers = await together(
        h,
        emails.map((email) => profile(email)),
      );
    } finally {
      heal();
    }
    answers.forEach((res, i) => {
      if (i === 5) {
        expect(res.status).toBe(500);
        expect(res.json.error_debug).toBe(`internal error, log id ${res.headers['x-herald-log-id'] as string}`);
      } else expect(res.status, res.body).toBe(200);
    });
    expect(await getProfile(h, { email: faulty })).toBeUndefined();
    for (const [i, email] of emails.entries())
      if (i !== 5) expect((await getProfile(h, { email }))?.id).toBe(answers[i]?.json.profile_id);
  });

  it('join profiles/import and profiles/update too: one transaction for many, a missing profile its own 404', async () => {
    const stored = uniq('stored');
    expect((await h.post('profiles/import', { token: WRITE_TOKEN, db_id: 1, data: { email: stored } })).status).toBe(
      200,
    );
    const missing = uniq('missing');
    const alone = await h.post('profiles/update', { token: WRITE_TOKEN, db_id: 1, data: { email: missing } });
    expect(alone.status).toBe(404);

    const emails = Array.from({ length: 12 }, () => uniq('imp'));
    const send = () =>
      Promise.all([
        ...emails.map((email) =>
          h.post('profiles/import', { token: WRITE_TOKEN, db_id: 1, data: { email, _fname: 'Imp' } }),
        ),
        ...[stored, missing, stored].map((email, i) =>
          h.post('profiles/update', { token: WRITE_TOKEN, db_id: 1, data: { email, _lname: `Upd${i}` } }),
        ),
      ]);
    let answers: Response[];
    if (h.sqlite) {
      const { result, statements } = await h.recordStatements(send);
      answers = result;
      // Fewer transactions than requests: the requests were joined.
      const transactions = statements.filter((s) => s.startsWith('SAVEPOINT')).length;
      expect(transactions).toBeGreaterThan(0);
      expect(transactions).toBeLessThan(answers.length - 2);
    } else answers = await send();
    answers.slice(0, emails.length).forEach((res) => expect(res.status, res.body).toBe(200));
    const [first, lost, last] = answers.slice(emails.length);
    expect(lost?.json).toEqual(alone.json);
    expect(first?.json.profile_id).toBe(last?.json.profile_id);
    expect(await getProfile(h, { email: stored })).toMatchObject({ id: first?.json.profile_id, _lname: 'Upd2' });
    expect(await getProfile(h, { email: missing })).toBeUndefined();
    for (const [i, email] of emails.entries())
      expect(await getProfile(h, { email })).toMatchObject({ id: answers[i]?.json.profile_id, _fname: 'Imp' });
  });
});
