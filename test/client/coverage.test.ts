// The client's hand-written types cannot drift from the server: its method table is exactly the
// registry's (names and write flags), its enums are the server's, and — read with the TypeScript
// compiler — each method's parameter interface has exactly the schema's keys (required ones
// required, nested objects too, enums as literal unions), and each result type has every key of
// the payload schema, required where the schema requires it.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  CHANNELS as SERVER_CHANNELS,
  FIELD_TYPES as SERVER_FIELD_TYPES,
  TRIGGER_TYPES as SERVER_TRIGGER_TYPES,
} from '../../src/core/catalog/types.js';
import { MATCHING_MODES as SERVER_MATCHING_MODES } from '../../src/core/matching/modes.js';
import { SUBSCRIPTION_STATUSES as SERVER_SUBSCRIPTION_STATUSES } from '../../src/core/profiles/subscriptions.js';
import type { JsonSchema } from '../../src/core/values/schema.js';
import { methods } from '../../src/core/methods.js';
import {
  CHANNELS,
  FIELD_TYPES,
  MATCHING_MODES,
  MESSAGE_STATUSES,
  METHOD_NAMES,
  METHODS,
  SUBSCRIPTION_STATUSES,
  TRIGGER_TYPES,
} from '../../src/client/index.js';

const METHOD_MAP_FILE = new URL('../../src/client/method-map.ts', import.meta.url).pathname;

/** The parameter and result types of every method of MethodMap, read from the source. */
function clientTypes(): { checker: ts.TypeChecker; byMethod: Map<string, { params: ts.Type; result: ts.Type }> } {
  const program = ts.createProgram([METHOD_MAP_FILE], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  });
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics, 'the client compiles for a browser (DOM, no Node types)').toEqual([]);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(METHOD_MAP_FILE);
  const decl = file?.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'MethodMap',
  );
  if (!decl) throw new Error('MethodMap not found');
  const mapType = checker.getTypeAtLocation(decl.name);
  const byMethod = new Map<string, { params: ts.Type; result: ts.Type }>();
  for (const prop of mapType.getProperties()) {
    const entry = checker.getTypeOfSymbolAtLocation(prop, decl);
    const part = (name: string) => checker.getTypeOfSymbolAtLocation(entry.getProperty(name)!, decl);
    byMethod.set(prop.name, { params: part('params'), result: part('result') });
  }
  return { checker, byMethod };
}

/**
 * Differences between a TypeScript type and a JSON Schema. `exact` (parameters): the same keys,
 * optional exactly where the schema does not require. Otherwise (results, whose schemas are open):
 * every schema key present, required ones not optional, the type's extra keys optional.
 */
function compare(
  checker: ts.TypeChecker,
  type: ts.Type,
  schema: JsonSchema,
  path: string,
  exact: boolean,
  out: string[],
): void {
  let s = schema;
  const alternatives = s.oneOf as JsonSchema[] | undefined;
  if (alternatives) {
    const nonNull = alternatives.filter((a) => a.type !== 'null');
    if (nonNull.length !== 1) return;
    s = nonNull[0];
  }
  const t = checker.getNonNullableType(type);
  const members = t.isUnion() ? t.types : [t];
  if (Array.isArray(s.enum)) {
    if (!members.every((m) => m.isLiteral()))
      return void out.push(
        `${path}: the schema has enum ${JSON.stringify(s.enum)}, the type is ${checker.typeToString(t)}`,
      );
    const literals = members.map((m) => String((m as ts.LiteralType).value)).sort();
    const expected = (s.enum as unknown[]).map(String).sort();
    if (JSON.stringify(literals) !== JSON.stringify(expected))
      out.push(`${path}: enum ${JSON.stringify(s.enum)} vs ${JSON.stringify(literals)}`);
    return;
  }
  if (s.type === 'array') {
    const array = members.find((m) => checker.isArrayType(m));
    if (!array) return void out.push(`${path}: the schema is an array, the type is ${checker.typeToString(t)}`);
    if (s.items)
      compare(
        checker,
        checker.getTypeArguments(array as ts.TypeReference)[0],
        s.items as JsonSchema,
        `${path}[]`,
        exact,
        out,
      );
    return;
  }
  // A method without parameters of its own (account/get): nothing to compare.
  if (s.type === 'object' && s.properties && Object.keys(s.properties).length > 0) {
    const object = members.find((m) => !checker.isArrayType(m) && m.getProperties().length > 0);
    if (!object) return void out.push(`${path}: the schema is an object, the type is ${checker.typeToString(t)}`);
    const props = new Map(object.getProperties().map((p) => [p.name, p]));
    const properties = s.properties as Record<string, JsonSchema>;
    const required = new Set((s.required as string[] | undefined) ?? []);
    for (const key of Object.keys(properties)) {
      const prop = props.get(key);
      if (!prop) {
        out.push(`${path}.${key}: in the schema, not in the type`);
        continue;
      }
      const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
      if (required.has(key) === optional)
        out.push(
          `${path}.${key}: ${required.has(key) ? 'required' : 'optional'} in the schema, ${optional ? 'optional' : 'required'} in the type`,
        );
      compare(checker, checker.getTypeOfSymbol(prop), properties[key], `${path}.${key}`, exact, out);
    }
    for (const [key, prop] of props) {
      if (key in properties) continue;
      if (exact) out.push(`${path}.${key}: in the type, not in the schema`);
      else if ((prop.flags & ts.SymbolFlags.Optional) === 0)
        out.push(`${path}.${key}: required in the type, not in the schema`);
    }
  }
}

describe('the client', () => {
  it('has exactly the methods of the registry, with their write flags', () => {
    expect([...METHOD_NAMES].sort()).toEqual([...methods.keys()].sort());
    for (const m of methods.values()) expect(METHODS[m.name as keyof typeof METHODS].write, m.name).toBe(m.write);
  });

  it("uses the server's enums", () => {
    expect(CHANNELS).toEqual(SERVER_CHANNELS);
    expect(MATCHING_MODES).toEqual(SERVER_MATCHING_MODES);
    expect(TRIGGER_TYPES).toEqual(SERVER_TRIGGER_TYPES);
    expect(FIELD_TYPES).toEqual(SERVER_FIELD_TYPES);
    expect(SUBSCRIPTION_STATUSES).toEqual(SERVER_SUBSCRIPTION_STATUSES);
    const messages = methods.get('messages/list')!.params.json() as {
      properties: { status: { items: { enum: string[] } } };
    };
    expect(MESSAGE_STATUSES).toEqual(messages.properties.status.items.enum);
  });

  it('declares, for every method, the parameters of its schema and the keys of its payload', () => {
    const { checker, byMethod } = clientTypes();
    expect([...byMethod.keys()].sort()).toEqual([...methods.keys()].sort());
    const problems: string[] = [];
    for (const m of methods.values()) {
      const types = byMethod.get(m.name)!;
      compare(checker, types.params, m.params.json(), `${m.name} params`, true, problems);
      if (m.payload) compare(checker, types.result, m.payload, `${m.name} result`, false, problems);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('notices a drift (the comparison is not vacuous)', () => {
    const { checker, byMethod } = clientTypes();
    const problems: string[] = [];
    const schema = methods.get('tasks/status')!.params.json();
    const drifted = {
      ...schema,
      properties: { ...(schema.properties as object), wait: { type: 'boolean' } },
      required: ['task_id', 'wait'],
    };
    compare(checker, byMethod.get('tasks/status')!.params, drifted, 'tasks/status', true, problems);
    expect(problems).toEqual(['tasks/status.wait: in the schema, not in the type']);
    const listed = methods.get('messages/list')!.params.json() as { properties: Record<string, JsonSchema> };
    const fewer = {
      ...listed,
      properties: { ...listed.properties, status: { type: 'array', items: { type: 'string', enum: ['sent'] } } },
    };
    problems.length = 0;
    compare(checker, byMethod.get('messages/list')!.params, fewer, 'messages/list', true, problems);
    expect(problems).toHaveLength(1);
  }, 60_000);
});
