// The reference pages generated from the code: docs/CLI.md (the command's help table),
// docs/provisioning.schema.json (the provisioning file's JSON Schema) and docs/openapi.json (the
// API's OpenAPI 3.1 document, as a server serves it at /api/openapi.json). `npm run generate:docs`
// writes them; test/docs/reference.test.ts fails when a committed page differs from these.
import { readFileSync } from 'node:fs';
import { cliReference } from '../src/cli/usage.js';
import { methods } from '../src/core/methods.js';
import { provisioningSchema } from '../src/core/provisioning/file-schema.js';
import { buildOpenApi } from '../src/http/openapi.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export const GENERATED: { file: string; text: () => string }[] = [
  { file: 'docs/CLI.md', text: cliReference },
  { file: 'docs/provisioning.schema.json', text: () => `${JSON.stringify(provisioningSchema(), null, 2)}\n` },
  { file: 'docs/openapi.json', text: () => `${JSON.stringify(buildOpenApi(methods.values(), version), null, 2)}\n` },
];
