// Reads a CSV file as a stream of rows (csv-parse), from the start or from a resume offset, in
// constant memory: records are turned into items as they come and nothing else is kept.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { CsvError, parse, type Options, type Parser } from 'csv-parse';
import { planColumns, rowItem, type ColumnPlan } from './csv-columns.js';
import { RowError, SourceError } from './errors.js';
import { itemText, MAX_ROW_BYTES, type SourceRow } from './source-row.js';

const READ_CHUNK = 1024 * 1024;

function parserOptions(delimiter: string): Options {
  return {
    delimiter,
    info: true,
    // A quote inside an unquoted cell is taken literally: one odd cell never swallows the rows after it.
    relax_quotes: true,
    // Rows with another cell count become row errors here, with the counts in the reason.
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_ROW_BYTES,
  };
}

interface Parsed {
  record: string[];
  info: { bytes: number; lines: number };
}

/** A CSV error as a SourceError (other errors, such as a read failure, pass as they are). */
function sourceError(err: unknown, after?: number): unknown {
  if (!(err instanceof CsvError)) return err;
  // csv-parse counts lines from where this read started (a resumed import starts mid-file).
  return new SourceError(`CSV syntax error${after === undefined ? '' : ` after data row ${after}`}: ${err.message}`);
}

/** The file from `start` through the parser; a read error reaches the parser's consumer. */
function open(file: string, start: number, options: Options): Parser {
  const parser = parse(options);
  pipeline(createReadStream(file, { start, highWaterMark: READ_CHUNK }), parser, () => {});
  return parser;
}

/** The header row and the byte offset where the data rows start. */
export async function readCsvHeader(file: string, delimiter: string): Promise<{ plan: ColumnPlan; end: number }> {
  const parser = open(file, 0, { ...parserOptions(delimiter), bom: true });
  try {
    for await (const chunk of parser) {
      const { record, info } = chunk as Parsed;
      return { plan: planColumns(record), end: info.bytes };
    }
  } catch (err) {
    throw sourceError(err);
  } finally {
    parser.destroy();
  }
  throw new SourceError('the CSV file is empty: it needs a header row');
}

/** Data rows from byte `offset` (just past the header, or past the last committed row). */
export async function* csvRows(
  file: string,
  opts: { plan: ColumnPlan; delimiter: string; offset: number; rowsBefore: number },
): AsyncGenerator<SourceRow> {
  const { plan, offset } = opts;
  const parser = open(file, offset, parserOptions(opts.delimiter));
  let row = opts.rowsBefore;
  try {
    for await (const chunk of parser) {
      const { record, info } = chunk as Parsed;
      if (record.every((cell) => cell === '')) continue;
      row += 1;
      const out: SourceRow = {
        row,
        end: offset + info.bytes,
        record: () =>
          record.length === plan.header.length ? Object.fromEntries(plan.header.map((h, i) => [h, record[i]])) : record,
      };
      try {
        out.item = itemText(rowItem(plan, record));
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        out.error = err.message;
      }
      yield out;
    }
  } catch (err) {
    throw sourceError(err, row);
  } finally {
    parser.destroy();
  }
}
