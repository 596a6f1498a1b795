// One sender (and its pooled connections) per configured sender object, rebuilt when the
// configuration changes.
import type { SenderDef } from '../catalog/types.js';
import type { Sender, SenderFactory } from './outgoing.js';

export class SenderPool {
  private readonly senders = new Map<string, { config: string; sender: Sender }>();
  /** A catalog's sender objects do not change: each is serialised once, not per message. */
  private readonly configs = new WeakMap<SenderDef, string>();

  constructor(private readonly factory: SenderFactory) {}

  get(def: SenderDef): Sender {
    const key = `${def.accountId}\u0000${def.name}`;
    // Any change of the sender's settings (keys, shaping, URL) builds a new one.
    let config = this.configs.get(def);
    if (config === undefined) {
      config = JSON.stringify(def);
      this.configs.set(def, config);
    }
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
