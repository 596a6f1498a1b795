// The provisioning file as a JSON Schema (draft 2020-12), built from the decoders that read it,
// so the published schema (/api/provisioning.schema.json, docs/provisioning.schema.json) cannot
// drift from what `herald apply` accepts. The schema checks shapes; the rules between objects
// (ids of other accounts, senders a resource names, template variables) are checked on apply.
import {
  databaseSchema,
  hookSchema,
  resourceSchema,
  senderSchema,
  templateSchema,
  triggerPatchSchema,
} from '../catalog/decode.js';
import { SENDER_SETTINGS } from '../catalog/sender-decode.js';
import type { JsonSchema } from '../values/schema.js';
import { accountSchema, tokenSchema } from './file.js';

const REF = { $ref: '#/$defs/secretRef' };
const SECRET_REF: JsonSchema = {
  description:
    'Any value may be given as {"env": "NAME"} (that environment variable) or {"file": "path"} (that file\'s text, relative to the provisioning file).',
  oneOf: [
    { type: 'object', properties: { env: { type: 'string' } }, required: ['env'], additionalProperties: false },
    { type: 'object', properties: { file: { type: 'string' } }, required: ['file'], additionalProperties: false },
  ],
};

/** Every leaf value may also be a secret reference. */
function withRefs(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) return schema;
  const out: JsonSchema = { ...schema };
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, JsonSchema>).map(([k, v]) => [k, withRefs(v)]),
    );
  }
  if (out.items && typeof out.items === 'object') out.items = withRefs(out.items as JsonSchema);
  if (out.type === 'object' || out.type === 'array' || out.properties) return out;
  return { anyOf: [out, REF] };
}

function senderJson(): JsonSchema {
  const base = senderSchema.json() as { properties: Record<string, JsonSchema>; required?: string[] };
  const types = Object.keys(SENDER_SETTINGS);
  const properties: Record<string, JsonSchema> = { ...base.properties };
  for (const key of new Set(Object.values(SENDER_SETTINGS).flat())) {
    const usedBy = types.filter((t) => SENDER_SETTINGS[t as keyof typeof SENDER_SETTINGS].includes(key));
    properties[key] ??= {};
    properties[key] = {
      ...properties[key],
      description: `a setting of the ${usedBy.join(', ')} sender${usedBy.length > 1 ? 's' : ''} (docs/SENDERS.md)`,
      'x-sender-types': usedBy,
    };
  }
  return {
    ...base,
    title: 'Sender',
    description: 'How messages leave (docs/SENDERS.md). name and type for every sender; the other keys by type.',
    properties,
    allOf: [
      { if: { properties: { type: { const: 'file' } } }, then: { required: ['dir'] } },
      { if: { properties: { type: { enum: ['smtp', 'http'] } } }, then: { required: ['url'] } },
    ],
  };
}

const requireKeys = (schema: JsonSchema, keys: string[]): JsonSchema => ({
  ...schema,
  required: [...new Set([...((schema.required as string[] | undefined) ?? []), ...keys])],
});

export function provisioningSchema(): JsonSchema {
  const account = accountSchema.json() as { properties: Record<string, JsonSchema> };
  const arrayOf = (s: JsonSchema, title: string) => ({ type: 'array', items: { title, ...withRefs(s) } });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: '/api/provisioning.schema.json',
    title: 'Herald provisioning file',
    description:
      'Accounts with their tokens, senders, databases, resources, templates, triggers and action hooks (docs/PROVISIONING.md). JSON or YAML.',
    type: 'object',
    required: ['accounts'],
    properties: {
      accounts: {
        type: 'array',
        items: {
          title: 'Account',
          type: 'object',
          required: ['id', 'name'],
          properties: {
            ...account.properties,
            tokens: arrayOf(tokenSchema.json(), 'Token'),
            senders: { type: 'array', items: withRefs(senderJson()) },
            databases: arrayOf(requireKeys(databaseSchema.json(), ['id']), 'Database'),
            resources: arrayOf(requireKeys(resourceSchema.json(), ['id']), 'Resource'),
            templates: arrayOf(requireKeys(templateSchema.json(), ['id']), 'Template'),
            triggers: arrayOf(
              requireKeys(triggerPatchSchema.json(), ['id', 'name', 'trigger_type', 'send_channel']),
              'Trigger',
            ),
            action_hooks: arrayOf(hookSchema.json(), 'ActionHook'),
          },
        },
      },
    },
    $defs: { secretRef: SECRET_REF },
  };
}
