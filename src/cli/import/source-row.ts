// A row of the input file as the import loop sees it: the item's JSON text ready for a batch, or
// the reason it cannot be sent, and where the row ends in the file (the resume point).
import { parseJsonBody } from '../../http/codecs/json.js';
import { RowError } from './errors.js';

export interface SourceRow {
  /** 1-based position among the file's data rows (a CSV header and blank lines not counted). */
  row: number;
  /** 1-based line of a JSON Lines row. */
  line?: number;
  /** Byte offset just past the row: an import resumed after it starts reading here. */
  end: number;
  /** The item as JSON text, when the row can be sent. */
  item?: string;
  /** Why the row is not sent (it goes to the errors file). */
  error?: string;
  /** The row as read, for the errors file: a CSV record by column, or a JSON line. */
  record: () => unknown;
}

/**
 * Rows larger than this are refused one by one: a batch must stay under the API's body limit,
 * and a reader never buffers more than this for one row (an unclosed quote, a runaway line).
 */
export const MAX_ROW_BYTES = 4 * 1024 * 1024;

/**
 * The item's JSON text. An item the API would refuse as a whole request (a NUL character, a
 * prototype key, an unpaired surrogate, deep nesting: spec 01) is a row error instead, found by
 * the same parser the API uses; only items whose text could hold such a thing pay for the check.
 */
export function itemText(item: unknown): string {
  const text = JSON.stringify(item);
  if (text.length > MAX_ROW_BYTES) throw new RowError(`the row is larger than ${MAX_ROW_BYTES / (1024 * 1024)} MB`);
  if (
    text.includes('\\u') ||
    text.includes('"__proto__"') ||
    text.includes('"constructor"') ||
    text.includes('"prototype"') ||
    deepish(text)
  ) {
    try {
      // Wrapped as it will be sent: {"data": [item]} (the root parameters are shallow).
      parseJsonBody(Buffer.from(`{"data":[${text}]}`));
    } catch (err) {
      throw new RowError(
        (err instanceof Error ? err.message : String(err)).replace(/^data\[0\]\.?/, '').replace(/the body/g, 'the row'),
      );
    }
  }
  return text;
}

/** More than 32 brackets: worth the exact nesting check. */
function deepish(text: string): boolean {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x7b || c === 0x5b) && ++n > 32) return true;
  }
  return false;
}
