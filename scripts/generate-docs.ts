// npm run generate:docs — rewrites the reference pages generated from the code (reference-docs.ts).
import { writeFileSync } from 'node:fs';
import { GENERATED } from './reference-docs.js';

const root = new URL('../', import.meta.url);
for (const g of GENERATED) {
  writeFileSync(new URL(g.file, root), g.text());
  console.log(`wrote ${g.file}`);
}
