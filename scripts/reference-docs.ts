// The reference pages generated from the code: docs/CLI.md (the command's help table) and
// docs/provisioning.schema.json (the provisioning file's JSON Schema). `npm run generate:docs`
// writes them; test/docs/reference.test.ts fails when a committed page differs from these.
import { cliReference } from '../src/cli/usage.js';
import { provisioningSchema } from '../src/core/provisioning/file-schema.js';

export const GENERATED: { file: string; text: () => string }[] = [
  { file: 'docs/CLI.md', text: cliReference },
  { file: 'docs/provisioning.schema.json', text: () => `${JSON.stringify(provisioningSchema(), null, 2)}\n` },
];
