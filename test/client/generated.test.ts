// The client's generated types (src/client/openapi-types.ts) are those the server's OpenAPI
// document generates now: a method whose parameters or payload changed without
// `npm run generate:client` fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES_FILE, generateClientTypes } from '../../scripts/client-types.js';

describe('the generated client types', () => {
  it('are current: regenerated from the registry, they equal the committed file', async () => {
    const committed = readFileSync(CLIENT_TYPES_FILE, 'utf8');
    const generated = await generateClientTypes();
    // A line-wise comparison names the first place that drifted.
    expect(committed.split('\n'), 'src/client/openapi-types.ts is out of date: run npm run generate:client').toEqual(generated.split('\n'));
  }, 60_000);
});
