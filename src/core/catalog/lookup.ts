// Looking an object up in an account's catalog: absent, or another account's, is a 404 (spec 01:
// existence never leaks across accounts).
import { notFound } from '../base/errors.js';
import type { Catalog, DatabaseDef, ResourceDef, TemplateDef, TriggerDef } from './types.js';

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
