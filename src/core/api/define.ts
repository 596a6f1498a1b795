// A method of the API, declared once beside its core function: its name, whether it writes (and
// whether it changes the account's configuration), its parameter schema — which validates
// requests, types the core function's input (`Decoded<typeof schema>`) and is the OpenAPI
// parameters — its payload's JSON Schema, and the core function that handles it.
// The dispatcher does everything else, the unit of work included.
import type { ApiError } from '../base/errors.js';
import type { DecodeContext, JsonSchema, Schema } from '../values/schema.js';
import type { Payload, ReadCall, WriteCall } from './method.js';

interface MethodCommon<P> {
  name: string;
  summary: string;
  params: Schema<P>;
  /** The success payload (the envelope's keys after error and error_text), as JSON Schema. */
  payload: JsonSchema;
  /** Imports profiles: the success's profile ids are counted as imported items (metrics). */
  imports?: boolean;
  /**
   * Its `data` is a batch of items decoded one chunk at a time (schema `itemList`): a large JSON
   * body may hand them over parsed a chunk at a time.
   */
  batchItems?: boolean;
  /**
   * Also answers GET, its parameters taken from the query string (where Altcraft's page for the
   * method says "GET, POST"). Without it a method answers POST only.
   */
  get?: true;
}

/** A write method as declared: `Tx` is the part of the store its handler uses. */
export interface WriteMethodDef<P, Tx> extends MethodCommon<P> {
  /** Changes data or launches campaigns: needs a write token, honours Request-ID. */
  write: true;
  /** Changes the account's configuration: its transaction holds the configuration exclusively. */
  config?: true;
  handle: (call: WriteCall<Tx>, params: P) => Promise<Payload>;
  /**
   * Runs several requests of this method at once, in one transaction, as if one came after the
   * other in the order given: concurrent requests of one account whose parameters are the same
   * but for their `data` are joined so (see the dispatcher's joined writes). Answers per request
   * its payload, or the error it alone failed with (nothing of it applied); throws when the group
   * as a whole cannot be applied (each request is then run alone).
   */
  joined?: (call: WriteCall<Tx>, params: readonly P[]) => Promise<(Payload | ApiError)[]>;
}

/**
 * A read method's write form: a request carrying one of `params` is answered by the write method
 * `method` (a preview with `test_email` is a test send), with its token role, request key and
 * transaction. The router sends such a request to the writer.
 */
export interface WriteForm {
  readonly params: readonly string[];
  readonly method: string;
}

/** A read method as declared: `R` is the read view its handler uses. */
export interface ReadMethodDef<P, R> extends MethodCommon<P> {
  write: false;
  writeForm?: WriteForm;
  handle: (call: ReadCall<R>, params: P) => Promise<Payload>;
}

interface MethodInfo {
  readonly name: string;
  readonly summary: string;
  /** The parameter schema, for documents (OpenAPI); requests are decoded with `decode`. */
  readonly params: Schema<unknown>;
  readonly payload: JsonSchema;
  readonly imports: boolean;
  readonly batchItems: boolean;
  /** Answers GET too, with the parameters in the query string. */
  readonly get: boolean;
}

/**
 * A registered write method. `decode` checks a request's parameters (throws DecodeError) and
 * answers the run of the method with them: the decoded type never leaves the declaration, so a
 * registry holds methods of every parameter type without a cast.
 */
export interface WriteMethod<Tx> extends MethodInfo {
  readonly write: true;
  readonly config: boolean;
  decode(body: unknown, ctx: DecodeContext): WriteRun<Tx>;
}

/** A write request's run; `joint` when its method can run it together with others (`joined`). */
export type WriteRun<Tx> = ((call: WriteCall<Tx>) => Promise<Payload>) & { joint?: Joint<Tx> };

/**
 * A request of a method with `joined`, ready to run with others of the same method (their
 * parameters are kept inside: a group is run by the joint of any of its members).
 */
export interface Joint<Tx> {
  runGroup(call: WriteCall<Tx>, group: readonly Joint<Tx>[]): Promise<(Payload | ApiError)[]>;
}

export interface ReadMethod<R> extends MethodInfo {
  readonly write: false;
  readonly writeForm?: WriteForm;
  decode(body: unknown, ctx: DecodeContext): (call: ReadCall<R>) => Promise<Payload>;
}

/**
 * A method of a registry whose write methods get a `Tx` and read methods an `R`. A method
 * declared with a narrower port (`WriteMethod<ImportTx>`) is one of `Method<StoreTx, …>`: the run
 * takes its call as a parameter, so a wider transaction is accepted where a narrower one is asked.
 */
export type Method<Tx, R> = WriteMethod<Tx> | ReadMethod<R>;

/** The flags of a method that changes the account's configuration (spread into its declaration). */
export const CONFIG_CHANGE = { write: true, config: true } as const;

export function defineMethod<P, Tx>(def: WriteMethodDef<P, Tx>): WriteMethod<Tx>;
export function defineMethod<P, R>(def: ReadMethodDef<P, R>): ReadMethod<R>;
export function defineMethod<P, Tx, R>(
  def: WriteMethodDef<P, Tx> | ReadMethodDef<P, R>,
): WriteMethod<Tx> | ReadMethod<R> {
  const info = {
    name: def.name,
    summary: def.summary,
    params: def.params,
    payload: def.payload,
    imports: def.imports === true,
    batchItems: def.batchItems === true,
    get: def.get === true,
  };
  if (def.write) {
    const { handle, joined } = def;
    return {
      ...info,
      write: true,
      config: def.config === true,
      decode: (body, ctx) => {
        const params = def.params.decode(body, ctx);
        const run = bound(params, handle);
        return joined ? Object.assign(run, { joint: jointOf(params, joined) }) : run;
      },
    };
  }
  const handle = def.handle;
  return {
    ...info,
    write: false,
    ...(def.writeForm ? { writeForm: def.writeForm } : {}),
    decode: (body, ctx) => bound(def.params.decode(body, ctx), handle),
  };
}

function bound<C, P>(params: P, handle: (call: C, params: P) => Promise<Payload>): (call: C) => Promise<Payload> {
  return (call) => handle(call, params);
}

/** The parameters of each joint, read by the joint that runs its group. */
const jointParams = new WeakMap<object, unknown>();

function jointOf<P, Tx>(
  params: P,
  joined: (call: WriteCall<Tx>, params: readonly P[]) => Promise<(Payload | ApiError)[]>,
): Joint<Tx> {
  const joint: Joint<Tx> = {
    // Every member of a group is a request of the same method (the dispatcher groups by method
    // name), so each one's parameters are a P.
    runGroup: (call, group) =>
      joined(
        call,
        group.map((member) => jointParams.get(member) as P),
      ),
  };
  jointParams.set(joint, params);
  return joint;
}

/** The methods by name; a name declared twice is a programming error. */
export function methodsByName<M extends { readonly name: string }>(list: readonly M[]): ReadonlyMap<string, M> {
  const map = new Map<string, M>();
  for (const m of list) {
    if (map.has(m.name)) throw new Error(`method ${m.name} is declared twice`);
    map.set(m.name, m);
  }
  return map;
}

/** The method a request is answered by: a read method's write form when the body carries one of its parameters. */
export function formOf<M extends { readonly name: string; readonly write: boolean; readonly writeForm?: WriteForm }>(
  method: M,
  body: Record<string, unknown>,
  registry: ReadonlyMap<string, M>,
): M {
  const form = method.write ? undefined : method.writeForm;
  if (!form || !form.params.some((p) => body[p] !== undefined)) return method;
  const write = registry.get(form.method);
  if (!write?.write) throw new Error(`the write form ${form.method} of ${method.name} is not a write method`);
  return write;
}

/** Whether a method answers an HTTP verb: POST always, GET when declared so. */
export function answersVerb(method: { readonly get: boolean }, verb: string): boolean {
  return verb === 'POST' || (verb === 'GET' && method.get);
}
