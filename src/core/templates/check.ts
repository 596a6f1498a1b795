// The checks a template passes when it is saved (spec 04, Grammar): on top of the variables
// parseTemplate reads, the near misses that would otherwise reach a customer as literal text are
// refused, each naming the offending text and how to write it; so is a `{subscription.*}` key
// that no subscription has.
import { TemplateSyntaxError } from '../base/errors.js';
import {
  ALL_NAMESPACES,
  closest,
  parseTemplate,
  SUBSCRIPTION_VARIABLES,
  UNSUBSCRIBE,
  type Grammar,
  type TemplatePart,
} from './parse.js';

const VARIABLE_AT = /\{[\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]*)*\}/uy;
const DOUBLED_AT = /\{\{([^{}\n]*)\}{0,2}/uy;
const SPACED_AT = /\{\s*([\p{L}\p{N}_]+)((?:\.[\p{L}\p{N}_]*)*)\s*\}/uy;
const OPENED_AT = /\{\s*([\p{L}\p{N}_]+)[\p{L}\p{N}_.]*/uy;
const UNOPENED = /(?<![{\p{L}\p{N}_.])([\p{L}\p{N}_]+)(?:\.[\p{L}\p{N}_]*)*\}/gu;
const DOTTED = /^[\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]+)+$/u;
const SHOWN = 60;

/** Names the variables may start with: every namespace and `unsubscribe`. */
const isVariableName = (name: string) => ALL_NAMESPACES.has(name) || name === UNSUBSCRIBE;

const shown = (text: string) => (text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text);

function matchAt(re: RegExp, source: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(source);
}

/** The problem of the brace at `at`, if it opens something that is almost a variable. */
function braceProblem(source: string, at: number): TemplateSyntaxError | undefined {
  const next = source[at + 1];
  if (next === '{') {
    const m = matchAt(DOUBLED_AT, source, at) as RegExpExecArray;
    const inner = m[1].trim();
    const single = DOTTED.test(inner) && isVariableName(inner.split('.')[0]) ? `{${inner}}` : '{lead._fname}';
    return new TemplateSyntaxError(shown(m[0]), 'doubled braces', `a variable takes one pair of braces: ${single}`);
  }
  if (next === '%')
    return new TemplateSyntaxError(
      shown(source.slice(at, source.indexOf('}', at) + 1 || source.length)),
      'not a Herald variable',
      'a variable is {namespace.path}, such as {lead._fname}',
    );
  if (matchAt(VARIABLE_AT, source, at)) return undefined;
  const spaced = matchAt(SPACED_AT, source, at);
  if (spaced && isVariableName(spaced[1]))
    return new TemplateSyntaxError(spaced[0], 'spaces inside a variable', `write {${spaced[1]}${spaced[2]}}`);
  const opened = matchAt(OPENED_AT, source, at);
  if (opened && isVariableName(opened[1]))
    return new TemplateSyntaxError(
      shown(opened[0]),
      'unclosed variable',
      'a variable is {namespace.path}: letters, digits, _ and dots, closed by }',
    );
  return undefined;
}

/** Throws the first near miss of the grammar: doubled braces, spaces inside, unclosed or unopened variables. */
function checkBraces(source: string): void {
  for (let at = source.indexOf('{'); at !== -1; at = source.indexOf('{', at + 1)) {
    const problem = braceProblem(source, at);
    if (problem) throw problem;
  }
  for (const m of source.matchAll(UNOPENED)) {
    if (isVariableName(m[1]))
      throw new TemplateSyntaxError(shown(m[0]), 'unopened variable', `a variable starts with {: {${m[0]}`);
  }
}

/** `{subscription.*}` has a fixed set of keys, without parts. */
function checkSubscriptionVariables(parts: TemplatePart[]): void {
  for (const p of parts) {
    if (p.kind !== 'var' || p.namespace !== 'subscription') continue;
    const token = `{subscription.${p.path.join('.')}}`;
    if (p.path.length === 1 && (SUBSCRIPTION_VARIABLES as readonly string[]).includes(p.path[0])) continue;
    const near = p.path.length === 1 ? closest(p.path[0], SUBSCRIPTION_VARIABLES) : undefined;
    throw new TemplateSyntaxError(
      token,
      'unknown subscription variable',
      near ? `did you mean {subscription.${near}}?` : `the keys are ${SUBSCRIPTION_VARIABLES.join(', ')}`,
    );
  }
}

/** Throws a TemplateSyntaxError for the first problem of a template text. */
export function checkTemplateText(source: string, grammar: Grammar = 'message'): void {
  checkBraces(source);
  checkSubscriptionVariables(parseTemplate(source, grammar));
}

/** The first syntax problem of a template text, or undefined. */
export function templateProblem(source: string, grammar: Grammar = 'message'): string | undefined {
  try {
    checkTemplateText(source, grammar);
    return undefined;
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err.message;
    throw err;
  }
}
