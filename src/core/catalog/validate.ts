// Rules that span objects (spec 04–06): a trigger's templates, database and resource; a
// resource's databases and senders. Each returns problems as text, so provisioning can list
// them all and the management methods can answer with the first.
import { contentFieldProblems } from './template-fields.js';
import { templateChannels, type Catalog, type ResourceDef, type SenderType, type TriggerDef } from './types.js';

const PUSH_ONLY: ReadonlySet<SenderType> = new Set(['webpush', 'fcm', 'apns']);

export interface Problem {
  code: 400 | 404;
  text: string;
}

export function resourceProblems(resource: ResourceDef, catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  for (const dbId of resource.dbIds) {
    if (!catalog.databases.has(dbId)) problems.push({ code: 404, text: `database ${dbId} does not exist` });
  }
  for (const [channel, settings] of Object.entries(resource.channels)) {
    if (!settings) continue;
    const named: [string, string][] = [
      [`channels.${channel}.sender`, settings.sender],
      ...Object.entries(settings.providers ?? {}).map(([p, s]): [string, string] => [
        `channels.${channel}.providers.${p}`,
        s,
      ]),
    ];
    for (const [where, name] of named) {
      const sender = catalog.senders.get(name);
      if (!sender) problems.push({ code: 404, text: `${where}: sender '${name}' does not exist` });
      else if (PUSH_ONLY.has(sender.type) && channel !== 'push')
        problems.push({ code: 400, text: `${where}: a ${sender.type} sender sends push only` });
    }
  }
  return problems;
}

export function triggerProblems(trigger: TriggerDef, catalog: Catalog): Problem[] {
  const problems: Problem[] = [];
  const db = trigger.listId === undefined ? undefined : catalog.databases.get(trigger.listId);
  const channel =
    trigger.resourceId === undefined
      ? undefined
      : catalog.resources.get(trigger.resourceId)?.channels[trigger.sendChannel];
  trigger.content.forEach((entry, i) => {
    const template = catalog.templates.get(entry.message_id);
    if (!template)
      problems.push({ code: 404, text: `content[${i}].message_id: template ${entry.message_id} does not exist` });
    else if (template.channels[trigger.sendChannel] === undefined) {
      problems.push({
        code: 400,
        text: `content[${i}].message_id: template ${entry.message_id} is for ${templateChannels(template).join(', ')}, the trigger sends ${trigger.sendChannel}`,
      });
    } else if (db) {
      for (const text of contentFieldProblems(entry, template, trigger.sendChannel, db, `content[${i}]`, channel))
        problems.push({ code: 400, text });
    }
  });
  const resource = trigger.resourceId === undefined ? undefined : catalog.resources.get(trigger.resourceId);
  if (trigger.resourceId !== undefined && !resource)
    problems.push({ code: 404, text: `resource_id: resource ${trigger.resourceId} does not exist` });
  if (trigger.listId !== undefined && !catalog.databases.has(trigger.listId))
    problems.push({ code: 404, text: `list_id: database ${trigger.listId} does not exist` });
  if (!trigger.isActive) return problems;

  const why = (text: string) => problems.push({ code: 400, text: `an active trigger needs ${text}` });
  if (trigger.content.length === 0) why('content');
  if (trigger.listId === undefined) why('list_id');
  if (trigger.resourceId === undefined) why('resource_id');
  if (resource) {
    if (trigger.listId !== undefined && !resource.dbIds.includes(trigger.listId))
      why(`resource ${resource.id} linked to database ${trigger.listId}`);
    const channel = resource.channels[trigger.sendChannel];
    if (!channel) why(`resource ${resource.id} to have a ${trigger.sendChannel} channel`);
    else if (trigger.sendChannel === 'email' && !channel.from_email && trigger.content.some((c) => !c.from_email)) {
      why('a from address (from_email in the content entry or the resource email channel)');
    }
  }
  return problems;
}
