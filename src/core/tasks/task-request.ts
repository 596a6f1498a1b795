// A task's stored request: the decoded parameters of the *_task method (never the token) and
// whether the body was XML (item values are decoded again, chunk by chunk, with its rules).
// Attachments are kept as base64 so the request is plain JSON.
import type { Attachment } from '../triggers/launch-params.js';
import { isPlainObject } from '../values/coerce.js';

export interface TaskRequest {
  xml: boolean;
  params: Record<string, unknown>;
}

interface StoredAttachment {
  name: string;
  mime: string;
  base64: string;
}

export function serializeTaskRequest(r: TaskRequest): string {
  const attach = r.params.attach as Attachment[] | undefined;
  const params = attach ? { ...r.params, attach: attach.map((a): StoredAttachment => ({ name: a.name, mime: a.mime, base64: a.data.toString('base64') })) } : r.params;
  return JSON.stringify({ xml: r.xml, params });
}

export function parseTaskRequest(text: string): TaskRequest {
  const parsed = JSON.parse(text) as { xml?: unknown; params?: unknown };
  const params = isPlainObject(parsed.params) ? parsed.params : {};
  const attach = params.attach as StoredAttachment[] | undefined;
  return {
    xml: parsed.xml === true,
    params: attach ? { ...params, attach: attach.map((a): Attachment => ({ name: a.name, mime: a.mime, data: Buffer.from(a.base64, 'base64') })) } : params,
  };
}
