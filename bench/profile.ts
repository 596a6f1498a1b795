// `npm run bench:profile [-- --batches N] [-- --xml]`: CPU profiles of a real `herald serve` while
// it imports 10,000-profile batches (fresh, then updates). Writes one `.cpuprofile` per thread
// (the HTTP front and the engine) into bench/profiles/ — open them in Chrome DevTools
// (Performance → Load profile) or speedscope for flame graphs — and prints, per thread, where
// the time goes: self time by function and by module.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { jsonBody, post, ROOT, seedProfiles, startServer, xmlBody } from './lib.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const batches = Number(arg('batches') ?? 5);
const xml = process.argv.includes('--xml');
const dir = join(ROOT, 'bench/profiles');

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const server = await startServer({}, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250']);
const encode = xml ? xmlBody : jsonBody;
const contentType = xml ? 'application/xml' : 'application/json';
try {
  await post(
    server.url,
    'campaigns/triggers/import_and_start_batch',
    encode(seedProfiles(10_000, 10_000_000)),
    contentType,
  );
  for (const variant of [0, 1]) {
    const times: number[] = [];
    for (let b = 0; b < batches; b++) {
      const res = await post(
        server.url,
        'campaigns/triggers/import_and_start_batch',
        encode(seedProfiles(10_000, b * 10_000, variant)),
        contentType,
      );
      if (res.status !== 200) throw new Error(`import failed: ${res.status}`);
      times.push(Math.round(res.ms));
    }
    console.log(`${variant ? 'update' : 'fresh'} batches (ms): ${times.join(' ')}`);
  }
} finally {
  await server.stop();
}

const short = (url: string) => url.replace(/^.*\/(node_modules\/[^/]+|dist\/)/, '$1') || '(native)';
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const frame = (byId.get(id) as ProfileNode).callFrame;
    total += us;
    if (frame.functionName === '(idle)') {
      idle += us;
      return;
    }
    const name = `${frame.functionName || '(anonymous)'} ${short(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byModule.set(short(frame.url), (byModule.get(short(frame.url)) ?? 0) + us);
  });
  const busy = total - idle;
  if (busy <= 0) continue;
  console.log(`\n${file}: ${(busy / 1e6).toFixed(2)} s busy of ${(total / 1e6).toFixed(2)} s`);
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .forEach(([k, us]) => console.log(`  ${((us / busy) * 100).toFixed(1).padStart(5)} %  ${k}`));
  console.log(' by module:');
  top(byModule, 8);
  console.log(' by function (self time):');
  top(byFunction, 15);
}
console.log(`\nprofiles written to ${dir}`);
