// Reading Prometheus text in tests: the samples of a scrape, by `name{labels}`.
import type { Harness } from './harness.js';

export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** GET /metrics of a harness: its text and its samples. */
export async function scrape(
  h: Harness,
): Promise<{ text: string; values: Map<string, number>; status: number; contentType: string }> {
  const res = await h.app.inject({ method: 'GET', url: '/metrics' });
  return {
    text: res.body,
    values: samples(res.body),
    status: res.statusCode,
    contentType: String(res.headers['content-type']),
  };
}

/** The names of the metric families of a text (each `# TYPE` line). */
export const families = (text: string): string[] => [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
