// A launch of a trigger by the API (spec 02, 05): the trigger, checked as launchable, with the
// request's content, custom_data, attachments, delay and subscription filter. The same spec is
// used by import_and_start*, start, start_batch and their tasks.
import { invalid } from '../base/errors.js';
import { getDatabase, getTrigger } from '../catalog/lookup.js';
import type { Catalog, DatabaseDef, TriggerDef } from '../catalog/types.js';
import { anyObject, describedAs, int, optional, required, type Decoded, type JsonSchema } from '../values/schema.js';
import {
  attachmentsSchema,
  subscriptionFilterSchema,
  timeoutSchema,
  type Attachment,
  type SubscriptionFilter,
} from './launch-params.js';
import type { LaunchWrite } from './store-port.js';

/** The launch parameters of every method that launches a trigger; `timeout` decodes to milliseconds. */
export const launchFields = {
  trigger_id: required(int({ min: 1 }), { aliases: ['id'] }),
  timeout: optional(describedAs(timeoutSchema, { title: 'Delay' }), 0),
  custom_data: optional(anyObject()),
  content: optional(anyObject()),
  attach: optional(
    describedAs(attachmentsSchema, {
      items: { title: 'AttachmentInput', ...(attachmentsSchema.json().items as JsonSchema) },
    }),
  ),
  subscription_filter: optional(describedAs(subscriptionFilterSchema, { title: 'SubscriptionFilter' })),
};
export type LaunchInput = Decoded<typeof launchFields>;

export interface LaunchSpec {
  trigger: TriggerDef;
  content: Record<string, unknown> | null;
  customData: Record<string, unknown> | null;
  attachments: Attachment[];
  delayMs: number;
  filter?: SubscriptionFilter;
}

/** Checks the trigger can be launched by the API and returns the launch (request-level 400/404). */
export function launchSpec(catalog: Catalog, input: LaunchInput): { spec: LaunchSpec; db: DatabaseDef } {
  const trigger = getTrigger(catalog, input.trigger_id);
  if (!trigger.isActive) throw invalid(`trigger ${trigger.id} is not active`);
  if (trigger.triggerType !== 'api_call')
    throw invalid(`trigger ${trigger.id} is of type ${trigger.triggerType}; the API launches only api_call triggers`);
  if (trigger.listId === undefined || trigger.resourceId === undefined)
    throw invalid(`trigger ${trigger.id} has no database or resource`);
  if (input.attach && input.attach.length > 0 && trigger.sendChannel !== 'email') {
    throw invalid(
      `attach: trigger ${trigger.id} sends ${trigger.sendChannel}; attachments are for email triggers only`,
    );
  }
  const db = getDatabase(catalog, trigger.listId);
  return {
    db,
    spec: {
      trigger,
      content: input.content ?? null,
      customData: input.custom_data ?? null,
      attachments: input.attach ?? [],
      delayMs: input.timeout,
      ...(input.subscription_filter ? { filter: input.subscription_filter } : {}),
    },
  };
}

/** The launch row of an API launch. */
export function launchRow(spec: LaunchSpec): LaunchWrite {
  return {
    triggerId: spec.trigger.id,
    kind: 'api',
    content: spec.content,
    customData: spec.customData,
    attachments: spec.attachments,
  };
}
