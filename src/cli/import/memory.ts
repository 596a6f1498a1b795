// How much memory `herald import` holds: one heap's worth per thread, bounded by the batch size and
// not by the file. V8 lets a heap grow far past what it keeps alive when nothing bounds it (a
// streaming import's heaps settled at about 200 MB each), so each of the import's two threads —
// the one reading the file into batches, the engine parsing and writing them — runs with heap
// limits sized from a batch: room for the batch being built, the one in flight, and their garbage.
// The engine's SQLite connection keeps a smaller page cache and maps no file: an import writes
// mostly new pages, which neither would serve again. (README, "Importing files".)
import type { HeapLimits } from '../../runtime/engine-thread.js';
import { MAX_BATCH_BYTES } from './options.js';

/** The page cache of the import engine's SQLite connection, in MB (at most HERALD_SQLITE_CACHE_MB). */
export const IMPORT_SQLITE_CACHE_MB = 16;

/**
 * The old-generation limit: a base for the code and the store's caches, eight times the largest
 * batch body (its text, its parsed form, its write rows), and 8 MB per 1,000 rows of a batch (the
 * objects of each row, whatever its size). 168 MB at the default 5,000 rows.
 */
export function importHeap(batchSize: number): HeapLimits {
  const bodyMb = MAX_BATCH_BYTES / (1024 * 1024);
  return { oldMb: 64 + 8 * bodyMb + 8 * Math.ceil(batchSize / 1000), youngMb: 32 };
}
