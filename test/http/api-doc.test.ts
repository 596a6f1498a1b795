// docs/API.md lists exactly the methods the server has, with the right kind.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { methods } from '../../src/core/methods.js';

describe('docs/API.md', () => {
  it('lists every method of the server, and only those, with its kind', () => {
    const doc = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_/0-9]+)` \| (read|write) \| done \|/gm)].map((m) => [m[1], m[2]]);
    const server = [...methods.values()].map((m) => [m.name, m.write ? 'write' : 'read']);
    const sort = (l: string[][]) => [...l].sort((a, b) => a[0].localeCompare(b[0]));
    expect(sort(rows)).toEqual(sort(server));
  });
});
