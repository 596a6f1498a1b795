// `npm run lint:size`: lists the functions, methods and arrow functions of src/ (tests excluded) longer than the
// limit (60 lines; `--max=N` another), longest first, as file:line and length. A function whose body is left whole
// on purpose says why in a comment on the line above it: `// long: <reason>`; such functions are listed apart and
// do not count. Exits 1 when any function over the limit has no such reason.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const max = Number(process.argv.find((a) => a.startsWith('--max='))?.slice(6) ?? 60);

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // The store contract suite is test code shared by the two stores' test files.
    if (entry.isDirectory()) {
      if (relative(root, path) !== join('src', 'store', 'contract')) yield* sources(path);
    } else if (/\.tsx?$/.test(entry.name) && !/\.(test|d)\.tsx?$/.test(entry.name)) yield path;
  }
}

function nameOf(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return '(anonymous)';
}

const isFunction = (node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node);

/** The reason comment of a function: `// long: …` on the line above its statement (or the line above it). */
function reasonOf(node, sf, lines) {
  let anchor = node;
  while (
    anchor.parent &&
    !ts.isSourceFile(anchor.parent) &&
    !ts.isBlock(anchor.parent) &&
    !ts.isClassDeclaration(anchor.parent) &&
    !ts.isObjectLiteralExpression(anchor.parent)
  )
    anchor = anchor.parent;
  const line = sf.getLineAndCharacterOfPosition(anchor.getStart(sf, false)).line;
  for (let i = line - 1; i >= 0 && /^\s*(\/\/|\/\*|\*)/.test(lines[i]); i--) {
    const m = /\/\/\s*long:\s*(.+)$/.exec(lines[i]);
    if (m) return m[1].trim();
  }
  return undefined;
}

const found = [];
for (const file of sources(join(root, 'src'))) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = text.split('\n');
  const visit = (node) => {
    if (isFunction(node) && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const length = end - start + 1;
      if (length > max)
        found.push({
          where: `${relative(root, file)}:${start + 1}`,
          name: nameOf(node),
          length,
          reason: reasonOf(node, sf, lines),
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

found.sort((a, b) => b.length - a.length);
const open = found.filter((f) => !f.reason);
const kept = found.filter((f) => f.reason);
for (const f of open) console.log(`${f.where}  ${f.name}  ${f.length} lines`);
if (kept.length) {
  console.log(`\nleft whole on purpose (${kept.length}):`);
  for (const f of kept) console.log(`${f.where}  ${f.name}  ${f.length} lines — ${f.reason}`);
}
console.log(`\n${open.length} function(s) over ${max} lines without a reason, ${kept.length} with one`);
process.exitCode = open.length ? 1 : 0;
