// Rows of the test_sends table, the same on both stores, and the columns their reads select.
import type {
  ClaimedTestSend,
  StoredTestSend,
  TestContent,
  TestSendStatus,
} from '../../core/delivery/test-send-port.js';

export const TEST_SEND_COLUMNS =
  'id, template_id, channel, resource_id, address, status, error, provider_id, created_at, sent_at';

export interface TestSendRow {
  id: number;
  template_id: number | null;
  channel: string;
  resource_id: number;
  address: string;
  status: string;
  error: string | null;
  provider_id: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface ClaimedTestSendRow {
  id: number;
  account_id: number;
  resource_id: number;
  address: string;
  content: string;
}

export function storedTestSend(r: TestSendRow): StoredTestSend {
  return {
    id: Number(r.id),
    templateId: r.template_id === null ? null : Number(r.template_id),
    channel: r.channel === 'sms' ? 'sms' : 'email',
    resourceId: Number(r.resource_id),
    address: r.address,
    status: r.status as TestSendStatus,
    error: r.error,
    providerId: r.provider_id,
    createdAt: Number(r.created_at),
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
  };
}

export function claimedTestSend(r: ClaimedTestSendRow): ClaimedTestSend {
  return {
    id: Number(r.id),
    accountId: Number(r.account_id),
    resourceId: Number(r.resource_id),
    address: r.address,
    content: JSON.parse(r.content) as TestContent,
  };
}
