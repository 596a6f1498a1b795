// What an import shows while it runs, on stderr: on a terminal one line redrawn in place (a bar
// of the bytes read, rows, rows/s, ETA); otherwise a plain line every few seconds, for logs.

export interface ProgressNumbers {
  /** Rows acknowledged, earlier runs included. */
  rows: number;
  /** Byte offset reached in the file. */
  bytes: number;
  rejected: number;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 250;

export const count = (n: number): string => n.toLocaleString('en-US');

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export class ProgressDisplay {
  private readonly started = performance.now();
  private last: ProgressNumbers;
  private timer: NodeJS.Timeout | undefined;
  private drawnAt = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly opts: { tty: boolean; everyMs: number; totalBytes: number; start: ProgressNumbers },
  ) {
    this.last = opts.start;
    this.timer = setInterval(() => this.draw(), opts.tty ? 1000 : opts.everyMs);
    this.timer.unref();
  }

  update(p: ProgressNumbers): void {
    this.last = p;
    if (this.opts.tty && performance.now() - this.drawnAt >= REDRAW_MS) this.draw();
  }

  /** Rows per second and seconds left, from this run's pace. */
  rates(): { rowsPerSecond: number; eta: number; elapsed: number } {
    const elapsed = (performance.now() - this.started) / 1000;
    const { start, totalBytes } = this.opts;
    const rowsPerSecond = elapsed > 0 ? (this.last.rows - start.rows) / elapsed : 0;
    const bytesPerSecond = elapsed > 0 ? (this.last.bytes - start.bytes) / elapsed : 0;
    const eta = bytesPerSecond > 0 ? (totalBytes - this.last.bytes) / bytesPerSecond : Infinity;
    return { rowsPerSecond, eta, elapsed };
  }

  private line(): string {
    const p = this.last;
    const pct = this.opts.totalBytes > 0 ? (100 * p.bytes) / this.opts.totalBytes : 100;
    const { rowsPerSecond, eta } = this.rates();
    const rejected = p.rejected > 0 ? `, ${count(p.rejected)} rejected` : '';
    const tail = `${count(p.rows)} rows, ${count(Math.round(rowsPerSecond))} rows/s, ETA ${duration(eta)}${rejected}`;
    if (!this.opts.tty) return `progress: ${pct.toFixed(1)}% of the file, ${tail}\n`;
    const filled = Math.min(BAR_WIDTH, Math.floor((pct / 100) * BAR_WIDTH));
    return `\r\x1b[2K[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${pct.toFixed(1).padStart(5)}%  ${tail}`;
  }

  private draw(): void {
    this.drawnAt = performance.now();
    this.drawn = true;
    this.out.write(this.line());
  }

  /** A line of its own (a wait, a retry), above the bar on a terminal. */
  note(text: string): void {
    this.out.write(this.opts.tty && this.drawn ? `\r\x1b[2K${text}\n${this.line()}` : `${text}\n`);
  }

  /** Stops redrawing; on a terminal the bar is cleared so the summary starts on a clean line. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.opts.tty && this.drawn) this.out.write('\r\x1b[2K');
  }
}
