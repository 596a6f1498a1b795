// What a method of the API receives from the dispatcher, which owns the request's unit of work:
// a write method runs inside the transaction the dispatcher opened for it (holding the account's
// configuration, the request key recorded in it) and gets that transaction; a read method gets a
// read-only view. Each folder types the part of the store it uses (its store-port.ts).
import type { Clock } from '../base/clock.js';
import type { GeoLookup } from '../base/geo.js';
import type { Catalog } from '../catalog/types.js';
import type { WirePolicy } from '../values/wire.js';

/** The services every method may use. */
export interface Env {
  clock: Clock;
  geo: GeoLookup;
  /** Profiles per page of a custom_request (start): bounds the memory of a launch over a whole database. */
  queryChunk?: number;
  /** One writer at a time (SQLite): no creation claims are needed. */
  singleWriter: boolean;
}

export interface Call {
  env: Env;
  /** The calling account's catalog: the one the request is checked against and applied with. */
  catalog: Catalog;
  /** What the request's wire format writes differently (the codec's policy). */
  wire: WirePolicy;
}

/** A read method's call: reads only, outside any transaction. */
export interface ReadCall<R> extends Call {
  read: R;
}

/** A write method's call: everything it does goes through `tx`, committed with its answer. */
export interface WriteCall<Tx> extends Call {
  tx: Tx;
}

/** A method's success payload: the envelope's keys after `error` and `error_text`. */
export type Payload = Record<string, unknown>;
