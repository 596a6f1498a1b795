// `npm test`: builds, then runs every test on SQLite (nothing else needed). When
// HERALD_TEST_POSTGRES_URL names a PostgreSQL server, the store contract and the PostgreSQL
// end-to-end tests run in that pass too, and the HTTP, compatibility, delivery and security tests run a second
// time on PostgreSQL (HERALD_TEST_STORE=postgres).
import { spawnSync } from 'node:child_process';

function run(command, args, env = {}) {
  console.log(
    `\n> ${[command, ...args].join(' ')}${
      Object.keys(env).length
        ? ` (${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')})`
        : ''
    }`,
  );
  const r = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const extra = process.argv.slice(2);
run('npm', ['run', 'build']);
run('npx', ['vitest', 'run', ...extra]);
if (process.env.HERALD_TEST_POSTGRES_URL && extra.length === 0) {
  run('npx', ['vitest', 'run', 'test/http', 'test/compat', 'test/delivery', 'test/security'], {
    HERALD_TEST_STORE: 'postgres',
  });
} else if (extra.length === 0) {
  console.log('\nHERALD_TEST_POSTGRES_URL is not set: the PostgreSQL passes were skipped.');
}
