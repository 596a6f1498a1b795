// A lint rule that keeps dependencies pointing one way: the folders of a part of the tree are
// listed in layers, bottom first, and a file may import from its own folder and from folders of
// lower layers only — never from a folder of its own layer or above. Root files of the part that
// sit on top (composition) may import anything, and nothing but another top file imports them. A
// cycle between folders is then impossible, and the layers say who may know whom.
import path from 'node:path';

/** @type {import('eslint').Rule.RuleModule} */
export const layers = {
  meta: {
    type: 'problem',
    docs: { description: 'imports point down the declared layers of folders' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
          top: { type: 'array', items: { type: 'string' } },
        },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const { root, layers: order, top = [] } = context.options[0];
    const base = path.resolve(context.cwd, root);
    const layerOf = new Map();
    order.forEach((names, i) => names.forEach((n) => layerOf.set(n, i)));
    /** The part's first path segment of `file` (a folder, or a root file's name), or undefined outside it. */
    const unitOf = (file) => {
      const rel = path.relative(base, file);
      if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
      return rel.split(path.sep)[0].replace(/\.(ts|js)$/, '');
    };
    const from = unitOf(context.filename);
    if (from === undefined) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = unitOf(path.resolve(path.dirname(context.filename), spec));
      if (to === undefined || to === from) return;
      if (top.includes(to) && !top.includes(from)) {
        context.report({
          node,
          message: `${root}/${to} sits on top (composition): only another top file of ${root}/ imports it`,
        });
        return;
      }
      if (top.includes(from)) return;
      const a = layerOf.get(from);
      const b = layerOf.get(to);
      if (a === undefined || b === undefined) {
        context.report({
          node,
          message: `${root}/${a === undefined ? from : to} is in no layer of the layers rule (eslint.config.js)`,
        });
        return;
      }
      if (b >= a)
        context.report({
          node,
          message: `${root}/${from} (layer ${a}) may not import ${root}/${to} (layer ${b}): imports point down the layers in eslint.config.js`,
        });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
