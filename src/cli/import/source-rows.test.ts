// The two row readers: every row's `end` is where the next read may start, so a resumed import
// reads exactly the rows after the last committed one — across read chunks, CRLF, BOM, quoted
// line breaks and over-long lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRows, readCsvHeader } from './csv-rows.js';
import { jsonlRows } from './jsonl-rows.js';
import { MAX_ROW_BYTES, type SourceRow } from './source-row.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(rows: AsyncGenerator<SourceRow>): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

describe('jsonlRows', () => {
  // Lines of growing length so that lines straddle the reader's 1 MB chunks.
  const lines = Array.from({ length: 3000 }, (_, i) =>
    JSON.stringify({ email: `u${i}@example.com`, pad: 'x'.repeat(i % 1500) }),
  );
  const text = `\ufeff${lines.slice(0, 1000).join('\r\n')}\r\n\r\n${lines.slice(1000).join('\n')}\n`;
  const file = join(dir, 'rows.jsonl');
  writeFileSync(file, text);

  it('reads every line once, with its line number and the offset past it', async () => {
    const rows = await all(jsonlRows(file, { offset: 0, rowsBefore: 0, linesBefore: 0 }));
    expect(rows).toHaveLength(3000);
    expect(rows.every((r) => r.error === undefined)).toBe(true);
    expect(JSON.parse(rows[0].item ?? '')).toEqual({ data: JSON.parse(lines[0]) });
    expect(rows[999].line).toBe(1000);
    // The blank line between is skipped but counted as a line.
    expect(rows[1000]).toMatchObject({ row: 1001, line: 1002 });
    expect(rows[2999].end).toBe(Buffer.byteLength(text));
  });

  it('resumed at any row end, reads exactly the rows after it', async () => {
    const rows = await all(jsonlRows(file, { offset: 0, rowsBefore: 0, linesBefore: 0 }));
    for (const at of [0, 1, 999, 1000, 1777, 2998]) {
      const tail = await all(
        jsonlRows(file, { offset: rows[at].end, rowsBefore: rows[at].row, linesBefore: rows[at].line ?? 0 }),
      );
      expect(tail.map((r) => [r.row, r.line, r.end, r.item])).toEqual(
        rows.slice(at + 1).map((r) => [r.row, r.line, r.end, r.item]),
      );
    }
  });

  it('refuses a line longer than the limit without keeping it, and goes on', async () => {
    const long = join(dir, 'long.jsonl');
    writeFileSync(long, `{"email":"a@example.com"}\n{"pad":"${'y'.repeat(MAX_ROW_BYTES)}"}\n{"email":"b@example.com"}`);
    const rows = await all(jsonlRows(long, { offset: 0, rowsBefore: 0, linesBefore: 0 }));
    expect(rows.map((r) => r.error ?? JSON.parse(r.item ?? '').data.email)).toEqual([
      'a@example.com',
      'the line is longer than 4 MB',
      'b@example.com',
    ]);
    expect(rows[1].record()).toBe('');
  });
});

describe('csvRows', () => {
  const body = Array.from(
    { length: 20_000 },
    (_, i) => `u${i}@example.com,"Name ${i}${i % 97 === 0 ? '\r\nsecond line' : ''}",${i}`,
  ).join('\r\n');
  const file = join(dir, 'rows.csv');
  writeFileSync(file, `\ufeffemail,_fname,CRM_ID\r\n${body}\r\n\r\n,,\r\n`);

  it('maps cells by the header and resumes at any row end', async () => {
    const { plan, end } = await readCsvHeader(file, ',');
    expect(plan.header).toEqual(['email', '_fname', 'CRM_ID']);
    const rows = await all(csvRows(file, { plan, delimiter: ',', offset: end, rowsBefore: 0 }));
    expect(rows).toHaveLength(20_000);
    expect(JSON.parse(rows[97].item ?? '')).toEqual({
      data: { email: 'u97@example.com', _fname: 'Name 97\r\nsecond line', CRM_ID: '97' },
    });
    for (const at of [0, 96, 97, 12_345, 19_998]) {
      const tail = await all(csvRows(file, { plan, delimiter: ',', offset: rows[at].end, rowsBefore: rows[at].row }));
      expect(tail.map((r) => [r.row, r.end, r.item])).toEqual(rows.slice(at + 1).map((r) => [r.row, r.end, r.item]));
    }
  });
});
