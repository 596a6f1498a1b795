// What a core method receives: the shared dependencies, and the calling account's catalog.
import type { Catalog, DatabaseDef, ResourceDef, TemplateDef, TriggerDef } from './catalog/types.js';
import { notFound } from './errors.js';
import type { Clock, GeoLookup, Store } from './ports.js';

export interface CoreDeps {
  store: Store;
  clock: Clock;
  geo: GeoLookup;
  /** Profiles per page of a custom_request (start): bounds the memory of a launch over a whole database. */
  queryChunk?: number;
}

export interface AccountContext {
  catalog: Catalog;
  /** The request arrived as XML: values are text and single elements stand for arrays. */
  xml: boolean;
}

export function getDatabase(catalog: Catalog, id: number): DatabaseDef {
  const db = catalog.databases.get(id);
  if (!db) throw notFound(`database ${id} not found`);
  return db;
}

export function getResource(catalog: Catalog, id: number): ResourceDef {
  const r = catalog.resources.get(id);
  if (!r) throw notFound(`resource ${id} not found`);
  return r;
}

export function getTrigger(catalog: Catalog, id: number): TriggerDef {
  const t = catalog.triggers.get(id);
  if (!t) throw notFound(`trigger ${id} not found`);
  return t;
}

export function getTemplate(catalog: Catalog, id: number): TemplateDef {
  const t = catalog.templates.get(id);
  if (!t) throw notFound(`template ${id} not found`);
  return t;
}
