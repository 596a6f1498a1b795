// The client's generated types (src/client/openapi-types.ts) are those the server's OpenAPI
// document generates now: a method whose parameters or payload changed without
// `npm run generate:client` fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES_FILE, generateClientTypes, hoistTitled } from '../../scripts/client-types.js';

describe('the generated client types', () => {
  it('are current: regenerated from the registry, they equal the committed file', async () => {
    const committed = readFileSync(CLIENT_TYPES_FILE, 'utf8');
    const generated = await generateClientTypes();
    // A line-wise comparison names the first place that drifted.
    expect(committed.split('\n'), 'src/client/openapi-types.ts is out of date: run npm run generate:client').toEqual(
      generated.split('\n'),
    );
  }, 60_000);

  it('name each titled shape once: moved to a component, referenced where it stood with its description', () => {
    const item = { title: 'Item', type: 'object', properties: { a: { type: 'string' } } };
    const doc = {
      components: {
        schemas: {
          'x.request': {
            type: 'object',
            properties: { one: { ...item, description: 'the first' }, many: { type: 'array', items: item } },
          },
        },
      },
    };
    const out = hoistTitled(doc) as { components: { schemas: Record<string, unknown> } };
    expect(out.components.schemas.Item).toEqual(item);
    expect(out.components.schemas['x.request']).toEqual({
      type: 'object',
      properties: {
        one: { $ref: '#/components/schemas/Item', description: 'the first' },
        many: { type: 'array', items: { $ref: '#/components/schemas/Item' } },
      },
    });
    const clash = {
      components: { schemas: { a: { type: 'object', properties: { x: item, y: { ...item, properties: {} } } } } },
    };
    expect(() => hoistTitled(clash)).toThrow('two different schemas are titled Item');
  });
});
