// The success payloads of the methods as JSON Schema, for the OpenAPI document. They describe
// what the core functions return (test/http/openapi.test.ts checks real answers against them);
// objects stay open (more keys may come), the keys listed are always there unless optional.
import { CHANNELS, TRIGGER_TYPES } from '../../core/catalog/types.js';
import type { JsonSchema } from '../../core/values/schema.js';

const obj = (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties), description?: string): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  ...(description ? { description } : {}),
});
const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer' };
const time: JsonSchema = { type: 'string', format: 'date-time' };
const channel: JsonSchema = { type: 'string', enum: [...CHANNELS] };

const profileRef = obj({ profile_id: { type: 'string', description: 'the profile id' } });
const itemError = obj({
  index: { type: 'integer', minimum: 0, description: 'position of the item in data' },
  error: { type: 'integer', enum: [400, 404] },
  error_text: str,
  error_debug: str,
});

/** `data` holding one object. */
const one = (item: JsonSchema): JsonSchema => obj({ data: item });
/** `data` holding a page of objects, with the count of every match. */
const page = (item: JsonSchema): JsonSchema => obj({ data: { type: 'array', items: item }, total_count: { type: 'integer', minimum: 0, description: 'all matches, whatever the cursor and limit' } });

const database = obj({ id: int, name: str, description: str, fields: { type: 'array', items: obj({ name: str, type: str, values: { type: 'array', items: str } }, ['name', 'type']) } }, ['id', 'name', 'fields']);
const resource = obj({ id: int, name: str, db_ids: { type: 'array', items: int }, channels: { type: 'object', description: 'settings per channel: sender, from and reply-to' } });
const template = obj({ id: int, name: str, channel, subject: str, html: str, text: str, title: str, url: str, image: str }, ['id', 'name', 'channel']);
const trigger = obj(
  {
    id: int,
    name: str,
    description: str,
    subid: str,
    ui_tags: { type: 'array', items: str },
    is_active: { type: 'boolean' },
    trigger_type: { type: 'string', enum: [...TRIGGER_TYPES] },
    send_channel: channel,
    resource_id: int,
    list_id: int,
    skip_minutes: int,
    content: { type: 'array', items: { type: 'object' } },
    push_sending_mode: str,
    created_at: time,
    updated_at: time,
  },
  ['id', 'name', 'is_active', 'trigger_type', 'send_channel', 'content', 'created_at', 'updated_at'],
);
const field = obj({ name: str, type: str, system: { type: 'boolean' }, read_only: { type: 'boolean' }, values: { type: 'array', items: str } }, ['name', 'type', 'system', 'read_only']);
const profile = obj(
  {
    id: str,
    db_id: int,
    _createtime: time,
    _updatetime: time,
    subscriptions: {
      type: 'array',
      items: obj({ channel, resource_id: int, status: int, status_reason: { ...str, description: 'why Herald changed the status (a push service said the subscription is gone)' }, priority: int }, ['channel', 'resource_id', 'status', 'priority']),
    },
  },
  ['id', 'db_id', '_createtime', '_updatetime', 'subscriptions'],
  'the profile: system and custom fields, then its subscriptions',
);
const nullable = (s: JsonSchema): JsonSchema => ({ oneOf: [s, { type: 'null' }] });
const message = obj({
  id: int,
  trigger_id: int,
  profile_id: str,
  channel,
  resource_id: nullable(int),
  address: nullable(str),
  status: { type: 'string', enum: ['scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'skipped', 'cancelled'] },
  due_at: time,
  sent_at: nullable(time),
  attempts: int,
  last_error: nullable(str),
  skip_reason: nullable(str),
  provider_id: { ...nullable(str), description: "the provider's id of the message (SMS gateways, push services)" },
  receipt_status: { ...nullable(str), description: "the provider's status word of its delivery receipt" },
  receipt_reason: nullable(str),
  receipt_at: nullable(time),
});
const logEntry = obj({ time, level: { type: 'string', enum: ['info', 'warning', 'error'] }, message: str, state: str, value: {} }, ['time', 'level', 'message', 'state']);

export const payloads = {
  /** Single-profile imports: the id of the profile written. */
  profileId: obj({ profile_id: { type: 'string', description: 'the id of the imported profile' } }),
  /** Batch calls: one entry per item that succeeded, in order; the failed ones in `errors`. */
  batch: obj(
    {
      result: { type: 'array', items: profileRef, description: 'the profiles of the items that succeeded, in item order' },
      errors: { type: 'array', items: itemError, description: 'the items that failed, by index; absent when none did' },
    },
    ['result'],
  ),
  /** Methods that answer nothing but the envelope. */
  none: { type: 'object', description: 'no payload: the envelope only' },
  /** activate / deactivate. */
  nullData: obj({ data: { type: 'null' } }),
  taskCreated: one(obj({ task_id: { type: 'string', description: 'for tasks/status' } })),
  taskStatus: one(
    obj({
      status: { type: 'string', enum: ['pending', 'running', 'completed', 'failed'] },
      progress: { type: 'integer', minimum: 0, maximum: 100 },
      result: { description: "completed: the synchronous method's payload (result, errors); failed: the error; otherwise null" },
    }),
  ),
  cloned: one(obj({ saved_id: { type: 'integer', description: 'the id of the copy' } })),
  triggerStatus: one(obj({ is_active: { type: 'boolean' }, scheduled: int, sent: int, failed: int, skipped: int })),
  database: one(database),
  databases: page(database),
  fields: one({ type: 'array', items: field }),
  resource: one(resource),
  resources: page(resource),
  template: one(template),
  templates: page(template),
  trigger: one(trigger),
  triggers: page(trigger),
  profile: one(profile),
  messages: page(message),
  log: page(logEntry),
} satisfies Record<string, JsonSchema>;
