// npm run generate:client — writes the client's types (src/client/openapi-types.ts) from the
// server's OpenAPI document; run it after changing a method's parameters or payload.
import { writeFileSync } from 'node:fs';
import { CLIENT_TYPES_FILE, generateClientTypes } from './client-types.js';

writeFileSync(CLIENT_TYPES_FILE, await generateClientTypes());
console.log(`wrote ${CLIENT_TYPES_FILE.pathname}`);
