// `npm run bench [-- --quick]`: runs every benchmark (`--only=delivery,push,…` a part), prints the results, writes
// bench/results.json and the results table of BENCHMARKS.md (between its markers).
// PostgreSQL runs when a server is reachable (HERALD_BENCH_POSTGRES_URL, default the local one).
import { readFileSync, writeFileSync } from 'node:fs';
import { bigBodyBench, type BigBodyResult } from './big-body.js';
import { customRequestBench } from './custom-request.js';
import { deliveryBench, smtpFloorBench, variantName, type DeliveryResult, type EmailVariant } from './delivery.js';
import { reportBench, rewriteBench } from './feedback.js';
import { growthBench, type GrowthResult } from './growth.js';
import { importBench, type ImportResult } from './import.js';
import { freshPostgresDatabase, median, round } from './lib.js';
import { pushBench } from './push.js';
import { scaleBench, type ScaleResult } from './scale.js';
import { singleBench, type SingleResult } from './single.js';
import { soakBench } from './soak.js';

const quick = process.argv.includes('--quick');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const want = (name: string) => !only || only.includes(name);

const postgres =
  process.env.HERALD_BENCH_POSTGRES_URL ??
  process.env.HERALD_TEST_POSTGRES_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const pgReachable = await import('pg').then(async ({ default: pg }) => {
  const c = new pg.Client({ connectionString: postgres, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
});
async function withPostgres<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const db = await freshPostgresDatabase(postgres, 'b');
  try {
    return await fn(db.url);
  } finally {
    await db.drop();
  }
}

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, quick };
const table: string[] = ['| benchmark | result | target |', '|---|---|---|'];
const row = (name: string, result: string, target = '') => {
  table.push(`| ${name} | ${result} | ${target} |`);
  console.log(`${name}: ${result}${target ? ` (target ${target})` : ''}`);
};

if (want('import')) {
  const imports: ImportResult[] = [];
  // --quick: PostgreSQL in JSON only, 2 batches per phase (the full run: 7).
  const pgRuns = pgReachable
    ? quick
      ? [{ format: 'json' as const, postgres }]
      : [
          { format: 'json' as const, postgres },
          { format: 'xml' as const, postgres },
        ]
    : [];
  const runs: { format: 'json' | 'xml'; postgres?: string }[] = [{ format: 'json' }, { format: 'xml' }, ...pgRuns];
  for (const run of runs) {
    const r = await importBench({ batches: quick ? 2 : 7, size: 10_000, ...run });
    imports.push(r);
    for (const [phase, p] of [
      ['fresh', r.fresh],
      ['update', r.update],
    ] as const) {
      row(
        `${r.name}, ${phase}`,
        `${p.profilesPerSecond.toLocaleString('en')} profiles/s; p50 ${p.medianMs} ms, p99 ${p.p99Ms} ms; floor ${p.floorMedianMs} ms, ×${p.ratioToFloor}; rows floor ${p.rowsFloorMedianMs} ms, ×${p.ratioToRowsFloor}; peak RSS ${r.peakRssMb} MB`,
        run.postgres ? '≥ 20,000 profiles/s' : '≥ 50,000 profiles/s, ≤ 3× floor',
      );
    }
  }
  const json = imports.find((r) => r.format === 'json' && !r.name.includes('PostgreSQL'));
  const xml = imports.find((r) => r.format === 'xml' && !r.name.includes('PostgreSQL'));
  if (json && xml)
    row('XML time ÷ JSON time (SQLite, fresh)', `×${(xml.fresh.medianMs / json.fresh.medianMs).toFixed(2)}`, '≤ 1.5×');
  results.import = imports;
}

if (want('big')) {
  const big: BigBodyResult[] = [
    await bigBodyBench(),
    ...(pgReachable && !quick ? [await withPostgres((url) => bigBodyBench({ postgres: url }))] : []),
  ];
  for (const r of big)
    row(
      r.name,
      `${r.profiles.toLocaleString('en')} profiles (${r.bodyMb} MB) in ${r.ms} ms; peak RSS ${r.peakRssMb} MB`,
      '< 1.5 s, < 400 MB',
    );
  results.bigBody = big;
}

if (want('single')) {
  const single: SingleResult[] = [await singleBench({ connections: 32, seconds: quick ? 3 : 15 })];
  if (pgReachable && !quick)
    single.push(await withPostgres((url) => singleBench({ connections: 32, seconds: 15, postgres: url })));
  for (const r of single)
    row(
      r.name,
      `${r.requestsPerSecond.toLocaleString('en')} requests/s; p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms; ${r.non2xx + r.errors} failed`,
      r.name.includes('SQLite') ? '≥ 3,000 req/s, p99 < 20 ms' : '',
    );
  results.single = single;
}

if (want('delivery')) {
  const messages = quick ? 4_000 : 30_000;
  // The floor first: nodemailer alone with as many processes and messages in flight (2 loops × 32).
  const floor = await smtpFloorBench({ messages, processes: 2, inFlight: 64 });
  const delivery: DeliveryResult[] = [
    await deliveryBench({ channel: 'email', messages, workerProcesses: 2, loops: 2 }),
    await deliveryBench({ channel: 'sms', messages, workerProcesses: 2, loops: 2 }),
  ];
  const steady = (r: DeliveryResult) =>
    `${r.messagesPerSecond.toLocaleString('en')} messages/s (${r.seconds} s; ${(r.steadyPerSecond ?? 0).toLocaleString('en')}/s after start-up, CPU ${r.workerCpuMsPerMessage} ms per message, receiver ${r.receiverCpuMsPerMessage} ms)`;
  row(floor.name, steady(floor), '');
  for (const r of delivery)
    row(
      r.name,
      r.name.includes('emails')
        ? `${steady(r)}: ×${Math.round(((r.steadyPerSecond ?? 0) * 100) / Math.max(1, floor.steadyPerSecond ?? 1)) / 100} of the floor`
        : steady(r),
      r.name.includes('emails') ? '≥ 0.8 × floor, ≥ 4,000 emails/s' : '',
    );
  results.delivery = [floor, ...delivery];
}

if (want('feedback')) {
  const messages = quick ? 100_000 : 1_000_000;
  const reports = [
    await reportBench({ messages }),
    ...(pgReachable && !quick ? [await withPostgres((url) => reportBench({ messages, postgres: url }))] : []),
  ];
  for (const r of reports)
    row(r.name, `per-day report ${r.reportMs} ms, totals ${r.totalsMs} ms (median of 50)`, '< 50 ms');
  const rewrite = rewriteBench({ emails: quick ? 2_000 : 10_000 });
  row(
    rewrite.name,
    `${rewrite.trackedUs} µs (URL tokens ${rewrite.urlTokensUs} µs) vs ${rewrite.untrackedUs} µs per email: ×${rewrite.rateKept} of the untracked rate (composing alone); HTML ${rewrite.htmlBytes.tracked} bytes (URL tokens ${rewrite.htmlBytes.urlTokens}) vs ${rewrite.htmlBytes.untracked}`,
  );
  // The cost per email of signing and tracking, end to end: the same email of 20 links delivered by
  // the workers to the SMTP server in another process, plain and with each feature, in this run.
  const variants: EmailVariant[] = [
    { track: false, links: 20 },
    { dkim: 'rsa', track: false, links: 20 },
    { dkim: 'ed25519', track: false, links: 20 },
    { track: true, links: 20 },
    { dkim: 'rsa', track: true, links: 20 },
  ];
  // One run of each variant swings by ±30 % on these hosts (a tracked run once came out faster
  // than plain): the variants are run in rounds, one of each per round in turn, and each figure is
  // the median over the rounds — rate and the workers' CPU per email, whose ratio to plain is the
  // rate kept where the workers' CPU is the limit.
  const rounds = quick ? 1 : 5;
  const runs = variants.map(() => [] as DeliveryResult[]);
  for (let r = 0; r < rounds; r++)
    for (const [i, variant] of variants.entries())
      runs[i]!.push(
        await deliveryBench({
          channel: 'email',
          messages: quick ? 3_000 : 20_000,
          workerProcesses: 2,
          loops: 2,
          variant,
        }),
      );
  const ratio = (a = 0, b = 0) => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);
  const medianOf = (rs: DeliveryResult[], f: (r: DeliveryResult) => number | undefined) =>
    round(median(rs.map((r) => f(r) ?? 0)), 3);
  const sends = variants.map((variant, i) => {
    const rs = runs[i]!;
    return {
      name: rs[0]!.name.replace(/delivery of \d+ emails/, `delivery of ${rs[0]!.messages} emails × ${rounds} rounds`),
      variant: variantName(variant),
      rounds,
      messagesPerSecond: medianOf(rs, (r) => r.messagesPerSecond),
      workerCpuMsPerMessage: medianOf(rs, (r) => r.workerCpuMsPerMessage),
      rates: rs.map((r) => r.messagesPerSecond),
      cpus: rs.map((r) => r.workerCpuMsPerMessage ?? 0),
    };
  });
  // Each round's variant against the plain run of the same round (run just before it): the host's
  // speed drifts over minutes, and a ratio within a round cancels most of that drift.
  const perRound = (i: number, f: (r: DeliveryResult) => number, invert = false) =>
    round(
      median(
        runs[i]!.map((r, k) => {
          const [a, b] = [f(r), f(runs[0]![k]!)];
          return invert ? (a > 0 ? b / a : 0) : b > 0 ? a / b : 0;
        }),
      ),
      2,
    );
  for (const [i, s] of sends.entries()) {
    const plain = sends[0]!;
    const rateToPlain = ratio(s.messagesPerSecond, plain.messagesPerSecond);
    const cpuToPlain = ratio(plain.workerCpuMsPerMessage, s.workerCpuMsPerMessage);
    const roundRate = perRound(i, (r) => r.messagesPerSecond);
    const roundCpu = perRound(i, (r) => r.workerCpuMsPerMessage ?? 0, true);
    Object.assign(s, { rateToPlain, cpuToPlain, roundRateToPlain: roundRate, roundCpuToPlain: roundCpu });
    row(
      s.name,
      `median ${s.messagesPerSecond.toLocaleString('en')} emails/s, ×${rateToPlain} of plain; worker CPU ${s.workerCpuMsPerMessage} ms per email, plain's ÷ this ×${cpuToPlain}; round by round ×${roundRate} of plain's rate, ×${roundCpu} of its CPU (rounds: ${s.rates.join(', ')} emails/s)`,
      variants[i]!.track || variants[i]!.dkim ? '≥ 0.9× plain' : '',
    );
  }
  results.feedback = { reports, rewrite, sends };
}

if (want('push')) {
  const messages = quick ? 4_000 : 30_000;
  const push = [];
  for (const service of ['apns', 'fcm', 'webpush'] as const)
    push.push(await pushBench({ service, messages, loops: 2 }));
  for (const r of push) {
    const cpu =
      r.workerCpuMsPerMessage !== undefined
        ? `; CPU per message: worker ${r.workerCpuMsPerMessage} ms, push service ${r.serviceCpuMsPerMessage ?? '?'} ms`
        : '';
    row(
      r.name,
      `${r.messagesPerSecond.toLocaleString('en')} messages/s (${r.seconds} s)${cpu}`,
      r.name.includes('APNs') ? '≥ 3,000 messages/s' : '',
    );
  }
  results.push = push;
}

if (want('growth')) {
  const growth: GrowthResult = await growthBench({
    levels: quick ? [1_000, 10_000, 50_000] : [1_000, 10_000, 100_000, 1_000_000],
  });
  row(
    growth.name,
    `${growth.levels.map((l) => `${l.stored.toLocaleString('en')}: ${(l.msPerProfile * 1000).toFixed(1)} µs`).join('; ')}; last ÷ first ×${growth.ratioLastToFirst}`,
    '≤ 1.3×',
  );
  results.growth = growth;
}

if (want('custom')) {
  const c = await customRequestBench({ profiles: quick ? 10_000 : 100_000 });
  row(
    c.name,
    `all ${c.allLaunched.toLocaleString('en')} in ${c.allMs} ms; equality ${c.equalityMs} ms; $in ${c.inMs} ms; range ${c.rangeMs} ms; RSS ${c.rssBeforeMb} → peak ${c.peakRssMb} MB`,
  );
  results.customRequest = c;
}

if (want('scale') && pgReachable && !quick) {
  const scale: ScaleResult[] = [];
  for (const inFlight of [1, 2]) scale.push(await scaleBench({ postgres, requests: 8, size: 10_000, inFlight }));
  for (const r of scale)
    row(
      r.name,
      `one API process ${r.oneProcess.toLocaleString('en')} profiles/s, two ${r.twoProcesses.toLocaleString('en')} (×${r.growth})`,
    );
  results.scale = scale;
}

if (want('soak')) {
  const s = await soakBench({ batches: quick ? 10 : 1000, size: 10_000 });
  row(
    s.name,
    `first ${s.first.medianMs} ms, RSS ${s.first.rssMb} MB (anonymous ${s.first.anonMb}); last ${s.last.medianMs} ms, RSS ${s.last.rssMb} MB (anonymous ${s.last.anonMb})`,
    'no drift',
  );
  results.soak = s;
}

writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
const doc = new URL('../BENCHMARKS.md', import.meta.url);
const text = readFileSync(doc, 'utf8');
const start = '<!-- results:start -->';
const end = '<!-- results:end -->';
if (!only && text.includes(start) && text.includes(end)) {
  const block = `${start}\nLast run: ${results.date as string}, \`npm run bench${quick ? ' -- --quick' : ''}\`, Node ${process.version}.\n\n${table.join('\n')}\n${end}`;
  writeFileSync(doc, text.slice(0, text.indexOf(start)) + block + text.slice(text.indexOf(end) + end.length));
}
