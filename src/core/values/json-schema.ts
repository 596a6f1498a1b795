// Building blocks of the payload schemas: what the methods answer, as JSON Schema, declared beside
// the code that builds each answer (views, outcomes). They are the OpenAPI responses, from which
// the client's result types are generated; test/http/openapi.test.ts checks real answers against
// them. Objects stay open (more keys may come); the keys listed are there unless optional.
import type { JsonSchema } from './schema.js';

/**
 * `schema` named: the shape a client calls by this name. The document keeps it in place; the
 * client's generator makes each titled shape one named type (scripts/client-types.ts).
 */
export const titled = (title: string, schema: JsonSchema): JsonSchema => ({ title, ...schema });

/** An object of these properties, all required unless `required` names fewer. */
export const obj = (
  properties: Record<string, JsonSchema>,
  required: string[] = Object.keys(properties),
  description?: string,
): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  ...(description ? { description } : {}),
});

export const strJson: JsonSchema = { type: 'string' };
export const intJson: JsonSchema = { type: 'integer' };
export const boolJson: JsonSchema = { type: 'boolean' };
export const timeJson: JsonSchema = { type: 'string', format: 'date-time' };
export const arrayJson = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
export const nullable = (s: JsonSchema): JsonSchema => ({ oneOf: [s, { type: 'null' }] });

/** `data` holding one object. */
export const one = (item: JsonSchema): JsonSchema => obj({ data: item });

/** `data` holding a page of objects, with the count of every match. */
export const page = (item: JsonSchema): JsonSchema =>
  obj({
    data: arrayJson(item),
    total_count: { type: 'integer', minimum: 0, description: 'all matches, whatever the cursor and limit' },
  });

/** A list paged by id: `next_from_id` is the from_id of the next page (Altcraft's databases/list). */
export const idPage = (item: JsonSchema): JsonSchema => {
  const base = page(item);
  const properties = {
    ...(base.properties as Record<string, JsonSchema>),
    next_from_id: {
      type: 'integer',
      minimum: 0,
      description: 'the from_id of the next page; an empty page answers the from_id asked for',
    },
  };
  return { ...base, properties, required: Object.keys(properties) };
};

/** Methods that answer nothing but the envelope. */
export const noPayload: JsonSchema = { type: 'object', description: 'no payload: the envelope only' };
