// The file sender, the zero-configuration default: each email is written to the outbox folder
// as an .eml file (the exact MIME an SMTP server would get), SMS and push as .json. A re-sent
// message overwrites its own file, so the outbox never holds a message twice.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SenderDef } from '../core/catalog/types.js';
import type { OutgoingMessage, Sender, SendResult } from '../core/delivery/outgoing.js';
import { providerBody } from './http.js';
import { buildMail } from './mime.js';

export function fileSender(def: SenderDef): Sender {
  const dir = resolve(def.dir ?? './data/outbox');
  let made = false;
  const write = (name: string, data: Buffer | string) => {
    if (!made) {
      mkdirSync(dir, { recursive: true });
      made = true;
    }
    const target = join(dir, name);
    writeFileSync(`${target}.tmp`, data);
    renameSync(`${target}.tmp`, target);
  };
  return {
    async send(m: OutgoingMessage): Promise<SendResult> {
      // A test send is named apart: its id is not a message's.
      const base = `${m.channel !== 'push' && m.test ? 'test' : 'message'}-${m.ref}`;
      try {
        if (m.channel === 'email') write(`${base}.eml`, buildMail(m).raw);
        else
          write(
            `${base}.${m.channel}.json`,
            `${JSON.stringify({ channel: m.channel, ...providerBody(m) }, null, 2)}\n`,
          );
        return { ok: true };
      } catch (err) {
        return { ok: false, transient: true, error: `file sender: ${(err as Error).message}` };
      }
    },
    async close() {},
  };
}
