// A method of the API: its name, whether it writes, its parameter schema and its handler
// (decode → one core function → payload). The dispatcher does everything else.
import type { AccountContext, CoreDeps } from '../../core/context.js';
import type { JsonSchema, Schema } from '../../core/values/schema.js';

export interface MethodDef<P = unknown> {
  name: string;
  /** Changes data or launches campaigns: needs a write token, honours Request-ID. */
  write: boolean;
  params: Schema<P>;
  /** The success payload (the envelope's keys after error and error_text), as JSON Schema, for the OpenAPI document. */
  payload?: JsonSchema;
  /** Imports profiles: the success's profile ids are counted as imported items (metrics). */
  imports?: boolean;
  handle(deps: CoreDeps, ctx: AccountContext, params: P): Promise<Record<string, unknown>>;
  summary: string;
}

export function defineMethod<P>(def: MethodDef<P>): MethodDef<unknown> {
  return def as unknown as MethodDef<unknown>;
}
