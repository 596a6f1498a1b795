// messages/list and campaigns/log_v2.
import { campaignLog, listMessages } from '../../core/delivery/visibility.js';
import { limitSchema, timeSchema } from '../../core/values/paging.js';
import { arrayOf, int, object, oneOf, optional, required, str } from '../../core/values/schema.js';
import { payloads } from './payloads.js';
import { defineMethod } from './types.js';
import type { MessageStatus } from '../../core/triggers/store-port.js';

const STATUSES = ['scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'skipped', 'cancelled'] as const satisfies readonly MessageStatus[];

export const visibilityMethods = [
  defineMethod({
    name: 'messages/list', payload: payloads.messages,
    summary: 'Messages of the account, by trigger, profile or status (Herald extension)',
    write: false,
    params: object({
      trigger_id: optional(int({ min: 1 })),
      profile_id: optional(str()),
      status: optional(arrayOf(oneOf(STATUSES), { single: true })),
      from_id: optional(int({ min: 0 })),
      from_time: optional(timeSchema),
      limit: optional(limitSchema, 1000),
    }),
    handle: (call, p) => listMessages(call, p),
  }),
  defineMethod({
    name: 'campaigns/log_v2', payload: payloads.log,
    summary: 'The log of a trigger campaign: launches and message outcomes',
    write: false,
    params: object({ id: required(int({ min: 1 }), { aliases: ['trigger_id'] }), from_time: optional(timeSchema), limit: optional(limitSchema, 1000) }),
    handle: (call, p) => campaignLog(call, p),
  }),
];
