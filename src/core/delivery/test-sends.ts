// The sending of test sends (templates/test_send): a loop beside the delivery workers claims the
// queued tests, hands each to its resource's channel sender once — no retry: a test that fails
// says why, and the operator sends another — and records how it went. A test claimed by a
// process that died stays `sending` and is not sent again.
import { PollLoop } from '../base/poll-loop.js';
import type { Clock } from '../base/clock.js';
import type { CatalogCache } from '../catalog/cache.js';
import { findChannelSender } from '../catalog/channel-sender.js';
import { fromDomain } from './compose.js';
import type { OutgoingMessage } from './outgoing.js';
import type { SenderPool } from './sender-pool.js';
import type { ClaimedTestSend, TestSendOutcome, TestSendStore } from './test-send-port.js';

/** Tests taken in one round. */
const TEST_BATCH = 10;

export interface TestSendDeps {
  store: TestSendStore & { accountVersions(): Promise<Map<number, number>> };
  clock: Clock;
  catalogs: CatalogCache;
  senders: SenderPool;
  log: { error(obj: object, msg: string): void };
}

/** The message a sender gets for a test: marked as a test, with a Message-ID of its own. */
export function testMessage(t: ClaimedTestSend): OutgoingMessage {
  const c = t.content;
  if (c.channel === 'sms')
    return {
      channel: 'sms',
      ref: t.id,
      test: true,
      messageId: `herald.test.${t.id}.${t.accountId}`,
      to: t.address,
      text: c.text,
      vars: c.vars,
    };
  return {
    channel: 'email',
    ref: t.id,
    test: true,
    messageId: `<herald.test.${t.id}.${t.accountId}@${fromDomain(c.from.address)}>`,
    from: c.from,
    ...(c.replyTo ? { replyTo: c.replyTo } : {}),
    to: t.address,
    subject: c.subject,
    ...(c.html !== undefined ? { html: c.html } : {}),
    ...(c.text !== undefined ? { text: c.text } : {}),
    attachments: [],
    headers: { 'X-Herald-Test': 'true' },
  };
}

export class TestSendRunner {
  private readonly loop: PollLoop;

  constructor(
    private readonly deps: TestSendDeps,
    private readonly pollMs: number,
  ) {
    this.loop = new PollLoop(
      () => this.round(),
      (err) => deps.log.error({ err }, 'test send round failed'),
      pollMs,
    );
  }

  private async round(): Promise<number> {
    const claimed = await this.deps.store.claimTestSends(TEST_BATCH);
    if (claimed.length === 0) return this.pollMs;
    const versions = await this.deps.store.accountVersions();
    for (const t of claimed) {
      const outcome = await this.send(t, versions.get(t.accountId) ?? 0);
      await this.deps.store.finishTestSend(t.id, outcome, this.deps.clock.now());
    }
    return claimed.length >= TEST_BATCH ? 0 : this.pollMs;
  }

  private async send(t: ClaimedTestSend, version: number): Promise<TestSendOutcome> {
    try {
      const catalog = await this.deps.catalogs.get(t.accountId, version);
      const def = findChannelSender(catalog, t.resourceId, t.content.channel);
      if (!def) return { status: 'failed', error: `resource ${t.resourceId} has no ${t.content.channel} sender` };
      const result = await this.deps.senders.get(def).send(testMessage(t));
      if (!result.ok) return { status: 'failed', error: result.error };
      return { status: 'sent', ...(result.providerId !== undefined ? { providerId: result.providerId } : {}) };
    } catch (err) {
      this.deps.log.error({ test: t.id, err }, 'test send failed unexpectedly');
      return { status: 'failed', error: err instanceof Error ? err.message : String(err) };
    }
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Stops after the round in progress (its tests are sent and recorded). */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}
