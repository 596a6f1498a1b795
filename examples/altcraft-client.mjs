// Code as an Altcraft user writes it, pointed at Herald: axios, the API token in the JSON body,
// POST to <base>/api/v1.1/<method>, and the answer's `error` checked. Nothing in it is specific to
// Herald. Run it against `npm start` (the demo provisioning: database 1, resource 21, trigger 96):
//
//   node examples/altcraft-client.mjs                # http://127.0.0.1:8080
//   HERALD_URL=http://herald.internal:8080 node examples/altcraft-client.mjs
//
// It exits 0 and prints what it did, or prints the failing call and exits 1.
import axios from 'axios';

const BASE_URL = (process.env.HERALD_URL ?? 'http://127.0.0.1:8080') + '/api/v1.1/';
const TOKEN = process.env.HERALD_TOKEN ?? 'abcdefghijklmnqrstuvwxyz';

const api = axios.create({ baseURL: BASE_URL, timeout: 10_000, headers: { 'Content-Type': 'application/json' } });

/** POSTs `params` with the token to `method`; returns the answer, or throws with Altcraft's error. */
async function call(method, params) {
  const { data } = await api.post(method, { token: TOKEN, ...params }, { validateStatus: () => true });
  if (data.error !== 0) throw new Error(`${method}: error ${data.error}: ${data.error_text}`);
  return data;
}

async function main() {
  const dbs = await call('databases/list', {});
  const dbId = dbs.data[0].id;
  console.log(`database ${dbId}: ${dbs.data[0].name}`);

  const imported = await call('profiles/import', {
    db_id: dbId,
    matching: 'email',
    email: 'ada@example.com',
    data: {
      _fname: 'Ada',
      _lname: 'Lovelace',
      email: 'ada@example.com',
      subscriptions: [{ channel: 'email', resource_id: 21, email: 'ada@example.com' }],
    },
  });
  console.log(`profile ${imported.profile_id} imported`);

  const started = await call('campaigns/triggers/start', {
    id: 96,
    matching: 'email',
    email: 'ada@example.com',
    content: { page: 'examples' },
  });
  console.log(`trigger 96 launched for ${started.result.length} profile(s)`);

  const batch = await call('campaigns/triggers/import_and_start_batch', {
    trigger_id: 96,
    db_id: dbId,
    matching: 'email',
    data: [
      {
        email: 'grace@example.com',
        data: {
          _fname: 'Grace',
          email: 'grace@example.com',
          subscriptions: [{ channel: 'email', resource_id: 21, email: 'grace@example.com' }],
        },
      },
      {
        email: 'alan@example.com',
        data: {
          _fname: 'Alan',
          email: 'alan@example.com',
          subscriptions: [{ channel: 'email', resource_id: 21, email: 'alan@example.com' }],
        },
      },
    ],
  });
  console.log(`batch: ${batch.result.length} profiles imported and launched`);

  const profile = await call('profiles/get', { db_id: dbId, matching: 'email', email: 'ada@example.com' });
  console.log(
    `profiles/get: ${profile.data._fname} ${profile.data._lname}, ${profile.data.subscriptions.length} subscription(s)`,
  );

  const status = await call('campaigns/status', { id: 96 });
  console.log(`campaign 96: active=${status.data.is_active}`);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
