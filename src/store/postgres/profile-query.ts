// custom_request on PostgreSQL: a ProfileQuery plan becomes one statement paging a database's
// profiles in creation order (see store/sqlite/profile-query.ts). Indexed leaves are
// `seq IN (SELECT profile_seq FROM profile_values …)` over the primary key (equality, $in) or
// profile_values_num (ranges); document fields read the JSON document (cast to JSONB) (a scan). Text ranges
// follow the database's collation.
import type { Bound, ProfileQuery } from '../../core/query/plan.js';
import type { Queryable } from './open.js';

/**
 * Conditions joined as a balanced tree, parenthesised: `a AND b AND c …` parses as a chain as
 * deep as it is long (SQLite refuses expressions deeper than 1,000, PostgreSQL runs out of stack).
 */
function balanced(parts: string[], op: 'AND' | 'OR'): string {
  if (parts.length === 1) return `(${parts[0]})`;
  const mid = parts.length >> 1;
  return `(${balanced(parts.slice(0, mid), op)} ${op} ${balanced(parts.slice(mid), op)})`;
}

/** Subqueries per UNION, as on SQLite: a UNION chain is as deep a tree for the planner as it is long. */
const UNION_TERMS = 250;

function unions(subqueries: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < subqueries.length; i += UNION_TERMS)
    out.push(subqueries.slice(i, i + UNION_TERMS).join(' UNION '));
  return out;
}

/**
 * Subqueries of the top-level AND that stay `p.seq IN (…)`. PostgreSQL turns each of those into a
 * semi-join and searches the join orders of all of them: a thousand conditions took longer than
 * the statement timeout to plan. The next ones are written `(…) IS TRUE`, which the planner keeps
 * as a filter (a hashed subplan, its subquery run once), so planning stays small while the first
 * conditions still drive the query from the value index.
 */
const JOINED_SUBQUERIES = 4;

class Compiler {
  /** $1 database, $2 cursor, $3 limit; the plan's values follow. */
  readonly params: unknown[] = [];
  private joined = 0;

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length + 3}`;
  }

  private bounds(column: string, lower: Bound | undefined, upper: Bound | undefined, cast = ''): string {
    let out = '';
    if (lower) out += ` AND ${column} ${lower.inclusive ? '>=' : '>'} ${this.param(lower.value)}${cast}`;
    if (upper) out += ` AND ${column} ${upper.inclusive ? '<=' : '<'} ${this.param(upper.value)}${cast}`;
    return out;
  }

  private subquery(q: ProfileQuery): string | undefined {
    if ((q.kind !== 'values' && q.kind !== 'range' && q.kind !== 'present') || q.source !== 'index') return undefined;
    let condition = '';
    if (q.kind === 'values') condition = ` AND value = ANY(${this.param(q.values.map(String))}::text[])`;
    else if (q.kind === 'range')
      condition =
        q.column === 'num'
          ? this.bounds('num', q.lower, q.upper, '::float8')
          : this.bounds('value', q.lower, q.upper, '::text');
    return `SELECT profile_seq FROM profile_values WHERE db_id = $1 AND field = ${this.param(q.field)}${condition} AND profile_seq > $2`;
  }

  /** `p.seq IN (subquery)`; `top`: a conjunct of the WHERE clause itself (see JOINED_SUBQUERIES). */
  private member(subquery: string, top: boolean): string {
    if (!top || this.joined++ < JOINED_SUBQUERIES) return `p.seq IN (${subquery})`;
    return `(p.seq IN (${subquery})) IS TRUE`;
  }

  /** `top`: the node is reached from the WHERE clause through ANDs only (an OR or NOT is never pulled up). */
  node(q: ProfileQuery, top = true): string {
    switch (q.kind) {
      case 'all':
        return 'TRUE';
      case 'and':
      case 'or': {
        if (q.of.length === 0) return q.kind === 'and' ? 'TRUE' : 'FALSE';
        // An OR of one operand is that operand: it stays where its parent is.
        const inner = top && (q.kind === 'and' || q.of.length === 1);
        const subs =
          q.kind === 'or' &&
          q.of.every(
            (c) => c.kind !== 'and' && c.kind !== 'or' && c.kind !== 'not' && c.kind !== 'all' && c.source === 'index',
          );
        if (subs) {
          const chunks = unions(q.of.map((c) => this.subquery(c) as string));
          // Several operands become one IN (a UNION): a conjunct where the OR itself is one.
          return balanced(
            chunks.map((u) => this.member(u, top && chunks.length === 1)),
            'OR',
          );
        }
        return balanced(
          q.of.map((c) => this.node(c, inner)),
          q.kind === 'and' ? 'AND' : 'OR',
        );
      }
      case 'not':
        return `NOT (${this.node(q.of, false)})`;
      case 'values':
        if (q.source === 'index') return this.member(this.subquery(q) as string, top);
        return `coalesce((p.fields::jsonb) -> ${this.param(q.field)}::text IN (SELECT jsonb_array_elements(${this.param(JSON.stringify(q.values))}::jsonb)), FALSE)`;
      case 'range': {
        if (q.source === 'index') return this.member(this.subquery(q) as string, top);
        const field = this.param(q.field);
        if (q.column === 'num')
          return `coalesce(jsonb_typeof((p.fields::jsonb) -> ${field}::text) = 'number'${this.bounds(`((p.fields::jsonb) ->> ${field}::text)::float8`, q.lower, q.upper, '::float8')}, FALSE)`;
        return `coalesce(jsonb_typeof((p.fields::jsonb) -> ${field}::text) = 'string'${this.bounds(`((p.fields::jsonb) ->> ${field}::text)`, q.lower, q.upper, '::text')}, FALSE)`;
      }
      case 'present':
        if (q.source === 'index') return this.member(this.subquery(q) as string, top);
        return `coalesce(jsonb_typeof((p.fields::jsonb) -> ${this.param(q.field)}::text) <> 'null', FALSE)`;
    }
  }
}

export function compileProfileQuery(q: ProfileQuery): { sql: string; params: unknown[] } {
  const c = new Compiler();
  const where = c.node(q);
  return {
    sql: `SELECT p.seq FROM profiles p WHERE p.db_id = $1 AND p.seq > $2 AND (${where}) ORDER BY p.seq LIMIT $3`,
    params: c.params,
  };
}

/** Pages of a query; the statement of a plan is compiled once and reused for its pages. */
export class PgProfileQueries {
  private readonly compiled = new WeakMap<ProfileQuery, { sql: string; params: unknown[] }>();

  async queryProfiles(
    db: Queryable,
    dbId: number,
    query: ProfileQuery,
    afterSeq: number,
    limit: number,
  ): Promise<number[]> {
    let c = this.compiled.get(query);
    if (!c) this.compiled.set(query, (c = compileProfileQuery(query)));
    return (await db.query<{ seq: number }>(c.sql, [dbId, afterSeq, limit, ...c.params])).rows.map((r) => r.seq);
  }
}
