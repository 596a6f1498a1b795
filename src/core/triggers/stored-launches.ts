// The launches a request has stored, by trigger: a launch row (content, custom_data, attachments)
// is written once, when its first message is, and every later message of the request — in a later
// chunk of the batch, a later page of a custom_request, a later chunk of a task — references it.
// Its ids are the one record of which launch a message belongs to.
import type { LaunchTx, LaunchWrite } from './store-port.js';

export class StoredLaunches {
  /** `ids`: trigger id → launch id, of launches stored before (a task's earlier chunks). */
  constructor(readonly ids: Map<number, number> = new Map()) {}

  /** The launch of `triggerId`: the one stored already, or `make()` stored now. */
  async idFor(
    tx: LaunchTx,
    accountId: number,
    triggerId: number,
    make: () => LaunchWrite,
    now: number,
  ): Promise<number> {
    const known = this.ids.get(triggerId);
    if (known !== undefined) return known;
    const id = await tx.insertLaunch(accountId, make(), now);
    this.ids.set(triggerId, id);
    return id;
  }
}
