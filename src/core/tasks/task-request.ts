// A task's stored request: the decoded parameters of the *_task method (never the token) and
// the name of the wire policy its items came with (they are decoded chunk by chunk, by its rules).
// Attachments are kept as base64 so the request is plain JSON.
import type { Attachment } from '../triggers/launch-params.js';
import { isPlainObject } from '../values/coerce.js';

export interface TaskRequest {
  /** The wire policy's name (WirePolicy.name). */
  wire: string;
  params: Record<string, unknown>;
}

interface StoredAttachment {
  name: string;
  mime: string;
  base64: string;
}

export function serializeTaskRequest(r: TaskRequest): string {
  const attach = r.params.attach as Attachment[] | undefined;
  const params = attach
    ? {
        ...r.params,
        attach: attach.map((a): StoredAttachment => ({
          name: a.name,
          mime: a.mime,
          base64: a.data.toString('base64'),
        })),
      }
    : r.params;
  return JSON.stringify({ wire: r.wire, params });
}

export function parseTaskRequest(text: string): TaskRequest {
  const parsed = JSON.parse(text) as { wire?: unknown; xml?: unknown; params?: unknown };
  const params = isPlainObject(parsed.params) ? parsed.params : {};
  const attach = params.attach as StoredAttachment[] | undefined;
  return {
    // Tasks stored before wire policies had names say `xml: true|false`.
    wire: typeof parsed.wire === 'string' ? parsed.wire : parsed.xml === true ? 'xml' : 'json',
    params: attach
      ? {
          ...params,
          attach: attach.map((a): Attachment => ({
            name: a.name,
            mime: a.mime,
            data: Buffer.from(a.base64, 'base64'),
          })),
        }
      : params,
  };
}
