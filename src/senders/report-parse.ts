// Reads an inbound message with a real MIME parser (mailparser) into what the built-in MX acts
// on: a DSN (multipart/report; report-type=delivery-status, RFC 3464) with its per-recipient
// fields, an ARF complaint (report-type=feedback-report, RFC 5965) with its Feedback-Type, and
// the Message-ID of the original message quoted in a text/rfc822-headers or message/rfc822 part.
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import type { DsnRecipient, InboundReport } from '../core/delivery/inbound-report.js';

type Fields = Map<string, string>;

/** Header-style fields (unfolded), in blocks separated by blank lines (RFC 3464 §2.1). */
export function fieldBlocks(text: string): Fields[] {
  const blocks: Fields[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/)) {
    const fields: Fields = new Map();
    for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    if (fields.size > 0) blocks.push(fields);
  }
  return blocks;
}

/** `rfc822; ann@example.com` → `ann@example.com`; `smtp; 550 5.1.1 …` → `550 5.1.1 …`. */
const typed = (value: string | undefined): string | undefined =>
  value === undefined ? undefined : value.replace(/^[\w-]+\s*;\s*/, '').trim() || undefined;

function dsnRecipients(text: string): DsnRecipient[] {
  return fieldBlocks(text)
    .filter((f) => f.has('action') && f.has('status'))
    .map((f) => {
      const finalRecipient = typed(f.get('final-recipient') ?? f.get('original-recipient'));
      const diagnostic = typed(f.get('diagnostic-code'));
      return {
        action: (f.get('action') ?? '').toLowerCase().split(/[\s(]/)[0],
        status: (f.get('status') ?? '').split(/[\s(]/)[0],
        ...(finalRecipient ? { finalRecipient } : {}),
        ...(diagnostic ? { diagnostic: diagnostic.slice(0, 500) } : {}),
      };
    });
}

const partText = (a: Attachment | undefined): string | undefined => a?.content.toString('utf8');
const partOf = (mail: ParsedMail, ...types: string[]) =>
  mail.attachments.find((a) => types.includes(a.contentType.toLowerCase()));

/** The Message-ID of the original message: the quoted headers, else the quoted message. */
function quotedMessageId(mail: ParsedMail): string | undefined {
  const quoted = partText(partOf(mail, 'text/rfc822-headers', 'message/rfc822', 'text/rfc822'));
  if (quoted === undefined) return undefined;
  const head = quoted.replace(/\r\n/g, '\n').split(/\n\n/)[0];
  const id = fieldBlocks(head)[0]?.get('message-id');
  return id ? id.slice(0, 300) : undefined;
}

function reportType(mail: ParsedMail): string | undefined {
  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (!ct || ct.value?.toLowerCase() !== 'multipart/report') return undefined;
  return ct.params?.['report-type']?.toLowerCase();
}

/** The report an inbound message is; a message the parser cannot read is `other` (dropped). */
export async function parseInboundReport(raw: Buffer, rcptTo: string[]): Promise<InboundReport> {
  try {
    return await readReport(raw, rcptTo);
  } catch {
    return { kind: 'other', rcptTo };
  }
}

async function readReport(raw: Buffer, rcptTo: string[]): Promise<InboundReport> {
  // The delivery-status part and a quoted message/rfc822 stay parts of their own (mailparser would
  // fold the first into the text and parse the second as part of the report).
  const options = {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    keepDeliveryStatus: true,
    ignoreEmbedded: true,
  };
  const mail = await simpleParser(raw, options);
  const type = reportType(mail);
  const originalMessageId = quotedMessageId(mail);
  const reportId = typeof mail.messageId === 'string' ? mail.messageId.slice(0, 300) : undefined;
  const common = { rcptTo, ...(originalMessageId ? { originalMessageId } : {}), ...(reportId ? { reportId } : {}) };
  if (type === 'delivery-status') {
    const status = partText(partOf(mail, 'message/delivery-status', 'message/global-delivery-status'));
    if (status !== undefined) return { kind: 'dsn', recipients: dsnRecipients(status), ...common };
  }
  if (type === 'feedback-report') {
    const report = partText(partOf(mail, 'message/feedback-report'));
    const fields = report === undefined ? undefined : fieldBlocks(report)[0];
    const feedbackType = fields?.get('feedback-type');
    // Original-Mail-From is the return path of the original: its VERP address names the message too.
    const mailFrom = fields?.get('original-mail-from')?.replace(/^<|>$/g, '');
    const userAgent = fields?.get('user-agent')?.slice(0, 200);
    if (feedbackType)
      return {
        kind: 'arf',
        feedbackType: feedbackType.toLowerCase(),
        ...common,
        rcptTo: mailFrom ? [...rcptTo, mailFrom] : rcptTo,
        ...(userAgent ? { userAgent } : {}),
      };
  }
  return { kind: 'other', rcptTo };
}
