// custom_request on SQLite: a ProfileQuery plan becomes one statement that pages a database's
// profiles in creation order. Indexed leaves are `seq IN (SELECT profile_seq FROM profile_values
// …)` subqueries — equality and $in seek the primary key (db_id, field, value, profile_seq),
// ranges on numbers and dates seek profile_values_num (db_id, field, num) — so SQLite drives the
// page from the index. Negations and document fields are tested row by row (a scan of the
// database's profiles). The page cursor is pushed into every subquery, so each page only
// materialises the matches after it.
import type { Bound, ProfileQuery } from '../../core/query/plan.js';
import type { SqliteDb } from './open.js';

type Statement = ReturnType<SqliteDb['prepare']>;

interface Compiled {
  sql: string;
  params: Record<string, unknown>;
}

function jsonPath(field: string): string {
  // Document fields are system fields (fixed names without quotes); quoting keeps `.` literal.
  return `$."${field}"`;
}

/**
 * Conditions joined as a balanced tree, parenthesised: `a AND b AND c …` parses as a chain as
 * deep as it is long (SQLite refuses expressions deeper than 1,000, PostgreSQL runs out of stack).
 */
function balanced(parts: string[], op: 'AND' | 'OR'): string {
  if (parts.length === 1) return `(${parts[0]})`;
  const mid = parts.length >> 1;
  return `(${balanced(parts.slice(0, mid), op)} ${op} ${balanced(parts.slice(mid), op)})`;
}

/** Subqueries per UNION: SQLite takes at most 500 terms in a compound SELECT. */
const UNION_TERMS = 250;

function unions(subqueries: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < subqueries.length; i += UNION_TERMS)
    out.push(subqueries.slice(i, i + UNION_TERMS).join(' UNION '));
  return out;
}

class Compiler {
  readonly params: Record<string, unknown> = {};
  private n = 0;

  param(value: unknown): string {
    const name = `p${this.n++}`;
    this.params[name] = value;
    return `@${name}`;
  }

  /** The value-table rows of an indexed leaf, as a subquery of profile row numbers; undefined for other nodes. */
  private subquery(q: ProfileQuery): string | undefined {
    if (q.kind !== 'values' && q.kind !== 'range' && q.kind !== 'present') return undefined;
    if (q.source !== 'index') return undefined;
    let condition = '';
    if (q.kind === 'values')
      condition = ` AND value IN (SELECT value FROM json_each(${this.param(JSON.stringify(q.values))}))`;
    else if (q.kind === 'range') condition = this.bounds(q.column === 'num' ? 'num' : 'value', q.lower, q.upper);
    return `SELECT profile_seq FROM profile_values WHERE db_id = @db AND field = ${this.param(q.field)}${condition} AND profile_seq > @after`;
  }

  private bounds(column: string, lower: Bound | undefined, upper: Bound | undefined): string {
    let out = '';
    if (lower) out += ` AND ${column} ${lower.inclusive ? '>=' : '>'} ${this.param(lower.value)}`;
    if (upper) out += ` AND ${column} ${upper.inclusive ? '<=' : '<'} ${this.param(upper.value)}`;
    return out;
  }

  node(q: ProfileQuery): string {
    switch (q.kind) {
      case 'all':
        return '1';
      case 'and':
      case 'or': {
        if (q.of.length === 0) return q.kind === 'and' ? '1' : '0';
        // An OR of indexed leaves stays index-driven as one union (SQLite would scan for `… OR …`).
        const subs =
          q.kind === 'or' &&
          q.of.every(
            (c) => c.kind !== 'and' && c.kind !== 'or' && c.kind !== 'not' && c.kind !== 'all' && c.source === 'index',
          );
        if (subs)
          return balanced(
            unions(q.of.map((c) => this.subquery(c) as string)).map((u) => `p.seq IN (${u})`),
            'OR',
          );
        return balanced(
          q.of.map((c) => this.node(c)),
          q.kind === 'and' ? 'AND' : 'OR',
        );
      }
      case 'not':
        return `NOT (${this.node(q.of)})`;
      case 'values':
        if (q.source === 'index') return `p.seq IN (${this.subquery(q)})`;
        return `coalesce(json_extract(p.fields, ${this.param(jsonPath(q.field))}) IN (SELECT value FROM json_each(${this.param(JSON.stringify(q.values))})), 0)`;
      case 'range': {
        if (q.source === 'index') return `p.seq IN (${this.subquery(q)})`;
        const value = `json_extract(p.fields, ${this.param(jsonPath(q.field))})`;
        // A number and a text never compare as a match (SQLite orders every number before every text).
        const typed = q.column === 'num' ? `typeof(${value}) IN ('integer', 'real')` : `typeof(${value}) = 'text'`;
        return `coalesce(${typed}${this.bounds(value, q.lower, q.upper)}, 0)`;
      }
      case 'present':
        if (q.source === 'index') return `p.seq IN (${this.subquery(q)})`;
        return `json_extract(p.fields, ${this.param(jsonPath(q.field))}) IS NOT NULL`;
    }
  }
}

export function compileProfileQuery(q: ProfileQuery): Compiled {
  const c = new Compiler();
  const where = c.node(q);
  return {
    sql: `SELECT p.seq FROM profiles p WHERE p.db_id = @db AND p.seq > @after AND (${where}) ORDER BY p.seq LIMIT @limit`,
    params: c.params,
  };
}

/** Pages of a query; the statement of a plan is prepared once and reused for its pages. */
export class SqliteProfileQueries {
  private readonly cache = new WeakMap<ProfileQuery, { stmt: Statement; params: Record<string, unknown> }>();

  constructor(private readonly db: SqliteDb) {}

  queryProfiles(dbId: number, query: ProfileQuery, afterSeq: number, limit: number): number[] {
    let entry = this.cache.get(query);
    if (!entry) {
      const { sql, params } = compileProfileQuery(query);
      entry = { stmt: this.db.prepare(sql).pluck(), params };
      this.cache.set(query, entry);
    }
    return entry.stmt.all({ ...entry.params, db: dbId, after: afterSeq, limit }) as number[];
  }
}
