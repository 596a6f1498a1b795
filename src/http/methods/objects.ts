// Object management: databases/*, databases/fields_get, resources/*, templates/* — validated
// with the decoders the provisioning file uses (core/catalog/decode.ts).
import { databaseSchema, fieldDefSchema, resourceSchema, templateSchema } from '../../core/catalog/decode.js';
import { addDatabase, databaseFields, deleteDatabase, readDatabase, listDatabases, updateDatabase } from '../../core/manage/databases.js';
import { addResource, deleteResource, readResource, listResources, updateResource } from '../../core/manage/resources.js';
import { addTemplate, deleteTemplate, readTemplate, listTemplates, updateTemplate } from '../../core/manage/templates.js';
import { CHANNELS } from '../../core/catalog/types.js';
import { limitSchema } from '../../core/values/paging.js';
import { arrayOf, int, object, oneOf, optional, required, str } from '../../core/values/schema.js';
import { payloads } from './payloads.js';
import { defineMethod } from './types.js';

const { id: _dbId, ...databaseFieldsShape } = databaseSchema.shape;
const { id: _resourceId, ...resourceFieldsShape } = resourceSchema.shape;
const { id: _templateId, ...templateFieldsShape } = templateSchema.shape;

const paging = { from_id: optional(int({ min: 0 }), 1), limit: optional(limitSchema, 1000) };
const idOf = (aliases: string[]) => ({ id: required(int({ min: 1 }), { aliases }) });
const databaseId = idOf(['db_id', 'list_id']);
const resourceId = idOf(['resource_id']);
const templateId = idOf(['template_id']);
const name = optional(str({ nonEmpty: true }));

export const objectMethods = [
  defineMethod({
    name: 'databases/add', payload: payloads.database,
    summary: 'Create a database with its custom fields',
    write: true, config: true,
    params: object(databaseFieldsShape),
    handle: (call, p) => addDatabase(call, p),
  }),
  defineMethod({
    name: 'databases/update', payload: payloads.database,
    summary: 'Change a database: fields not sent are kept; fields, when sent, replace the list',
    write: true, config: true,
    params: object({ ...databaseId, name, description: optional(str()), fields: optional(arrayOf(fieldDefSchema)) }),
    handle: (call, p) => updateDatabase(call, p),
  }),
  defineMethod({ name: 'databases/get', payload: payloads.database, summary: 'One database', write: false, params: object(databaseId), handle: (call, p) => readDatabase(call, p) }),
  defineMethod({
    name: 'databases/list', payload: payloads.databases,
    summary: "The account's databases, by id",
    write: false,
    params: object({ ...paging }),
    handle: (call, p) => listDatabases(call, p),
  }),
  defineMethod({ name: 'databases/delete', payload: payloads.none, summary: 'Delete a database nothing uses', write: true, config: true, params: object(databaseId), handle: (call, p) => deleteDatabase(call, p) }),
  defineMethod({
    name: 'databases/fields_get', payload: payloads.fields,
    summary: "A database's fields, system and custom, with their types",
    write: false,
    params: object(databaseId),
    handle: (call, p) => databaseFields(call, p),
  }),
  defineMethod({
    name: 'resources/add', payload: payloads.resource,
    summary: 'Create a resource: linked databases and channels',
    write: true, config: true,
    params: object(resourceFieldsShape),
    handle: (call, p) => addResource(call, p),
  }),
  defineMethod({
    name: 'resources/update', payload: payloads.resource,
    summary: 'Change a resource: fields not sent are kept; db_ids and channels, when sent, replace',
    write: true, config: true,
    params: object({ ...resourceId, name, db_ids: optional(resourceFieldsShape.db_ids.schema), channels: optional(resourceFieldsShape.channels.schema) }),
    handle: (call, p) => updateResource(call, p),
  }),
  defineMethod({ name: 'resources/get', payload: payloads.resource, summary: 'One resource', write: false, params: object(resourceId), handle: (call, p) => readResource(call, p) }),
  defineMethod({
    name: 'resources/list', payload: payloads.resources,
    summary: "The account's resources, by id",
    write: false,
    params: object({ ...paging }),
    handle: (call, p) => listResources(call, p),
  }),
  defineMethod({ name: 'resources/delete', payload: payloads.none, summary: 'Delete a resource nothing uses', write: true, config: true, params: object(resourceId), handle: (call, p) => deleteResource(call, p) }),
  defineMethod({
    name: 'templates/add', payload: payloads.template,
    summary: 'Create a template (spec 04: parts per channel, variable grammar checked)',
    write: true, config: true,
    params: object(templateFieldsShape),
    handle: (call, p) => addTemplate(call, p),
  }),
  defineMethod({
    name: 'templates/update', payload: payloads.template,
    summary: 'Change a template: fields not sent are kept',
    write: true, config: true,
    params: object({
      ...templateId,
      name,
      channel: optional(oneOf(CHANNELS)),
      subject: optional(str()),
      html: optional(str()),
      text: optional(str()),
      title: optional(str()),
      url: optional(str()),
      image: optional(str()),
    }),
    handle: (call, p) => updateTemplate(call, p),
  }),
  defineMethod({ name: 'templates/get', payload: payloads.template, summary: 'One template', write: false, params: object(templateId), handle: (call, p) => readTemplate(call, p) }),
  defineMethod({
    name: 'templates/list', payload: payloads.templates,
    summary: "The account's templates, by id, optionally of one channel",
    write: false,
    params: object({ ...paging, channel: optional(oneOf(CHANNELS)) }),
    handle: (call, p) => listTemplates(call, p),
  }),
  defineMethod({ name: 'templates/delete', payload: payloads.none, summary: 'Delete a template nothing uses', write: true, config: true, params: object(templateId), handle: (call, p) => deleteTemplate(call, p) }),
];
