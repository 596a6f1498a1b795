// One sender (and its pooled connections) per configured sender object, rebuilt when the
// configuration changes.
import type { SenderDef } from '../catalog/types.js';
import type { Sender, SenderFactory } from './outgoing.js';

export class SenderPool {
  private readonly senders = new Map<string, { config: string; sender: Sender }>();

  constructor(private readonly factory: SenderFactory) {}

  get(def: SenderDef): Sender {
    const key = `${def.accountId}\u0000${def.name}`;
    // Any change of the sender's settings (keys, shaping, URL) builds a new one.
    const config = JSON.stringify(def);
    const known = this.senders.get(key);
    if (known && known.config === config) return known.sender;
    if (known) void known.sender.close();
    const sender = this.factory(def);
    this.senders.set(key, { config, sender });
    return sender;
  }

  async close(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.sender.close()));
    this.senders.clear();
  }
}
