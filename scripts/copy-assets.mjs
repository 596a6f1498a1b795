// Copies the non-TypeScript files the compiled code reads at run time (SQL migrations, console assets).
import { cpSync, existsSync } from 'node:fs';

const assets = [
  ['src/store/sqlite/migrations', 'dist/store/sqlite/migrations'],
  ['src/store/postgres/migrations', 'dist/store/postgres/migrations'],
  ['src/console/index.html', 'dist/console/index.html'],
  ['src/console/console.css', 'dist/console/console.css'],
];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
