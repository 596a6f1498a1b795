// What the built-in MX read from an inbound message (spec 07), whatever parsed it: a delivery
// status notification (RFC 3464) with its recipients, a complaint (RFC 5965 ARF) with its feedback
// type, or something else; the envelope recipients (VERP addresses) and the Message-ID of the
// original message quoted in the report.

export interface DsnRecipient {
  /** `failed`, `delayed`, `delivered`, `relayed`, `expanded` (lower case). */
  action: string;
  /** The RFC 3463 status, `5.1.1`. */
  status: string;
  finalRecipient?: string;
  diagnostic?: string;
}

export type InboundReport =
  | { kind: 'dsn'; recipients: DsnRecipient[]; rcptTo: string[]; originalMessageId?: string; reportId?: string }
  | {
      kind: 'arf';
      feedbackType: string;
      rcptTo: string[];
      originalMessageId?: string;
      reportId?: string;
      userAgent?: string;
    }
  | { kind: 'other'; rcptTo: string[] };

/** What reading a report came to (the built-in MX counts each in a metric). */
export type InboundOutcome = 'hard' | 'soft' | 'complaint' | 'delivered' | 'duplicate' | 'unmatched' | 'dropped';

/** The RFC 3463 class of a status: `5.1.1` → 5. */
const statusClass = (status: string): number => Number(/^([245])\.\d{1,3}\.\d{1,3}$/.exec(status.trim())?.[1] ?? 0);

/** What a DSN recipient says: failed with 5.x.x a hard bounce; delayed, or a 4.x.x, a soft one. */
export function dsnVerdict(r: DsnRecipient): 'hard' | 'soft' | 'delivered' | undefined {
  const cls = statusClass(r.status);
  if (r.action === 'failed' && cls === 5) return 'hard';
  if (r.action === 'delayed' || cls === 4) return 'soft';
  if (['delivered', 'relayed', 'expanded'].includes(r.action) && cls === 2) return 'delivered';
  return undefined;
}
