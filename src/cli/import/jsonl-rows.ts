// Reads a JSON Lines file as a stream of rows, from the start or from a resume offset, in
// constant memory. A line is an item of import_and_start_batch (`{"data": {...}, ...}`) or a bare
// profile object (sent as `{"data": <line>}`); blank lines are skipped.
import { createReadStream } from 'node:fs';
import { RowError } from './errors.js';
import { itemText, MAX_ROW_BYTES, type SourceRow } from './source-row.js';

const READ_CHUNK = 1024 * 1024;
const LF = 0x0a;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** One line as an item; RowError when it is not a JSON object. */
export function lineItem(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RowError(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(value)) throw new RowError('expected a JSON object: an item {"data": {...}} or a profile');
  // `data` is never a profile field (spec 03), so an object `data` marks the item shape.
  return isObject(value.data) ? value : { data: value };
}

interface Line {
  text: string;
  line: number;
  end: number;
  /** Longer than MAX_ROW_BYTES: its bytes were not kept. */
  tooLong: boolean;
}

/** Splits the bytes from `offset` into lines, never keeping more than MAX_ROW_BYTES of one. */
async function* lines(file: string, offset: number, linesBefore: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let kept = 0;
  let tooLong = false;
  let pos = offset;
  let line = linesBefore;
  const take = (end: number): Line => {
    let text = tooLong ? '' : Buffer.concat(parts, kept).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (line === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const out = { text, line: ++line, end, tooLong };
    parts = [];
    kept = 0;
    tooLong = false;
    return out;
  };
  for await (const chunk of createReadStream(file, {
    start: offset,
    highWaterMark: READ_CHUNK,
  }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, from);
      const stop = nl < 0 ? chunk.length : nl;
      if (!tooLong) {
        if (kept + stop - from > MAX_ROW_BYTES) {
          tooLong = true;
          parts = [];
          kept = 0;
        } else if (stop > from) {
          parts.push(chunk.subarray(from, stop));
          kept += stop - from;
        }
      }
      if (nl < 0) break;
      yield take(pos + nl + 1);
      from = nl + 1;
    }
    pos += chunk.length;
  }
  if (kept > 0 || tooLong) yield take(pos);
}

/** Data rows from byte `offset`; `linesBefore` and `rowsBefore` number the rows already read. */
export async function* jsonlRows(
  file: string,
  opts: { offset: number; rowsBefore: number; linesBefore: number },
): AsyncGenerator<SourceRow> {
  let row = opts.rowsBefore;
  for await (const l of lines(file, opts.offset, opts.linesBefore)) {
    if (!l.tooLong && l.text.trim() === '') continue;
    row += 1;
    const text = l.text;
    const out: SourceRow = { row, line: l.line, end: l.end, record: () => text };
    try {
      if (l.tooLong) throw new RowError(`the line is longer than ${MAX_ROW_BYTES / (1024 * 1024)} MB`);
      out.item = itemText(lineItem(text));
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      out.error = err.message;
    }
    yield out;
  }
}
