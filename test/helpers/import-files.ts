// Input files for `herald import` tests and benchmarks, written as a stream (a million rows never
// sit in memory), and a memory sampler for a child process (/proc/<pid>/status, Linux).
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';

/** The header of generated CSV files: system fields, a custom int field, an email subscription. */
export const CSV_HEADER = 'email,_fname,_lname,phones,CRM_ID,sub.email.21';

export function csvRow(i: number): string {
  return `user${i}@example.com,First${i},"Last, ${i}",+7900${String(i).padStart(7, '0')},${i},user${i}@example.com\n`;
}

/** Writes `rows` generated rows (numbered from `from`) after the header. */
export async function writeCsv(file: string, rows: number, from = 1): Promise<void> {
  const out = createWriteStream(file);
  let chunk = `${CSV_HEADER}\n`;
  for (let i = from; i < from + rows; i++) {
    chunk += csvRow(i);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

export interface MemoryPeaks {
  /** Peak resident set (VmHWM, kept by the kernel), MB. */
  peakRssMb: number;
  /** Peak anonymous resident memory seen (heaps, caches; not mapped files), MB. */
  peakAnonMb: number;
  samples: number;
}

function statusOf(pid: number): Record<string, number> | undefined {
  try {
    const out: Record<string, number> = {};
    for (const m of readFileSync(`/proc/${pid}/status`, 'utf8').matchAll(/^(VmHWM|VmRSS|RssAnon):\s+(\d+) kB$/gm))
      out[m[1]] = Number(m[2]) / 1024;
    return out;
  } catch {
    return undefined;
  }
}

/** Samples a process's memory every `everyMs` until stop() (call it before or after the exit). */
export function sampleMemory(pid: number, everyMs = 100): { stop(): MemoryPeaks } {
  const peaks: MemoryPeaks = { peakRssMb: 0, peakAnonMb: 0, samples: 0 };
  const take = () => {
    const s = statusOf(pid);
    if (!s) return;
    peaks.samples += 1;
    peaks.peakRssMb = Math.max(peaks.peakRssMb, s.VmHWM ?? 0, s.VmRSS ?? 0);
    peaks.peakAnonMb = Math.max(peaks.peakAnonMb, s.RssAnon ?? 0);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      take();
      clearInterval(timer);
      return {
        peakRssMb: Math.round(peaks.peakRssMb),
        peakAnonMb: Math.round(peaks.peakAnonMb),
        samples: peaks.samples,
      };
    },
  };
}
