// A method of the API: its name, whether it writes (and whether it changes the account's
// configuration), its parameter schema and its handler (decode → one core function → payload).
// The dispatcher does everything else, the unit of work included: a write method's handler runs
// inside the transaction the dispatcher opened, a read method's gets a read-only view.
import type { Payload, ReadCall, WriteCall } from '../../core/api/method.js';
import type { ReadView, StoreTx } from '../../core/ports.js';
import type { JsonSchema, Schema } from '../../core/values/schema.js';

interface MethodCommon<P> {
  name: string;
  params: Schema<P>;
  /** The success payload (the envelope's keys after error and error_text), as JSON Schema, for the OpenAPI document. */
  payload?: JsonSchema;
  /** Imports profiles: the success's profile ids are counted as imported items (metrics). */
  imports?: boolean;
  summary: string;
}

export interface ReadMethodDef<P> extends MethodCommon<P> {
  write: false;
  handle(call: ReadCall<ReadView>, params: P): Promise<Payload>;
}

export interface WriteMethodDef<P> extends MethodCommon<P> {
  /** Changes data or launches campaigns: needs a write token, honours Request-ID. */
  write: true;
  /** Changes the account's configuration: its transaction holds the configuration exclusively. */
  config?: true;
  handle(call: WriteCall<StoreTx>, params: P): Promise<Payload>;
}

export type MethodDef<P = unknown> = ReadMethodDef<P> | WriteMethodDef<P>;

export function defineMethod<P>(def: MethodDef<P>): MethodDef {
  return def as unknown as MethodDef;
}
