// The resume state of an import: FILE.herald-progress, rewritten (atomically) after every
// acknowledged batch. It names the input by size, modification time and a hash of its first
// 64 KB, and the options by a fingerprint, so a resume never continues another file or import.
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { ConfigError } from '../../config.js';

const HEAD_BYTES = 64 * 1024;

export interface FileIdentity {
  size: number;
  mtimeMs: number;
  head: string;
}

export interface ProgressState {
  version: 1;
  file: FileIdentity;
  /** Fingerprint of everything that shapes the batches and where they go. */
  options: string;
  /**
   * The run whose request keys may still be in doubt (a batch sent, its answer not recorded):
   * a resume reuses it, so such a batch is answered from its key and never applied twice.
   * Null after a clean stop.
   */
  session: string | null;
  /** Batches acknowledged so far; the next batch's number. */
  batches: number;
  /** Byte offset just past the last acknowledged row. */
  offset: number;
  rows: number;
  /** The file line of the last acknowledged row (JSON Lines). */
  lines: number;
  imported: number;
  rejected: number;
  /** The errors file's length after the last acknowledged batch (anything past it is cut on resume). */
  errorsBytes: number;
  /** Seconds spent importing in earlier runs. */
  seconds: number;
}

export function identify(file: string): FileIdentity {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${file} is not a file`);
    const head = Buffer.alloc(Math.min(HEAD_BYTES, st.size));
    let got = 0;
    while (got < head.length) {
      const n = readSync(fd, head, got, head.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return {
      size: st.size,
      mtimeMs: Math.trunc(st.mtimeMs),
      head: createHash('sha256').update(head.subarray(0, got)).digest('hex'),
    };
  } finally {
    closeSync(fd);
  }
}

export function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

export const newSession = (): string => randomBytes(12).toString('hex');

export function freshState(file: FileIdentity, options: string, offset: number, session: string): ProgressState {
  return {
    version: 1,
    file,
    options,
    session,
    batches: 0,
    offset,
    rows: 0,
    lines: 0,
    imported: 0,
    rejected: 0,
    errorsBytes: 0,
    seconds: 0,
  };
}

export function readState(path: string): ProgressState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const state = JSON.parse(text) as ProgressState;
  if (state.version !== 1) throw new Error(`${path}: unknown version ${String(state.version)}`);
  return state;
}

/** Why `state` cannot be resumed for this file and these options, or undefined when it can. */
export function mismatch(state: ProgressState, file: FileIdentity, options: string): string | undefined {
  if (state.file.size !== file.size || state.file.mtimeMs !== file.mtimeMs || state.file.head !== file.head)
    return 'the file changed since the interrupted import';
  if (state.options !== options)
    return 'the interrupted import used other options (target, trigger or database, matching, parameters, batch size, format)';
  return undefined;
}

/** Replaces the state file durably: a crash leaves the old state or the new one, never half of one. */
export function writeState(path: string, state: ProgressState): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(state)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function removeState(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.tmp`, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes FILE.herald-lock for this process: a second import of the same file on this machine is
 * refused while the first runs (a lock left by a killed run is taken over). Returns the release.
 */
export function lockInput(file: string): () => void {
  const lock = `${file}.herald-lock`;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let pid = 0;
    try {
      pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    } catch {
      // gone in between: try again
    }
    if (pid > 0 && pid !== process.pid && alive(pid))
      throw new ConfigError(`another herald import of ${file} is running (pid ${pid}); if it is not, remove ${lock}`);
    rmSync(lock, { force: true });
  }
}
