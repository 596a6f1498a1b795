// Bounce and complaint reports written as mail servers write them, and an SMTP client (nodemailer)
// that delivers them to Herald's built-in MX: a DSN (RFC 3464: multipart/report with a human
// part, message/delivery-status and text/rfc822-headers) and an ARF report (RFC 5965: a human
// part, message/feedback-report and the original message).
import nodemailer from 'nodemailer';

const CRLF = '\r\n';
const lines = (...l: string[]) => l.join(CRLF);

export interface DsnInput {
  to: string;
  recipient: string;
  action: 'failed' | 'delayed' | 'delivered';
  status: string;
  diagnostic: string;
  originalMessageId: string;
  reportId?: string;
}

export function dsn(d: DsnInput): string {
  const boundary = 'dsn-boundary-0001';
  return lines(
    'From: Mail Delivery System <MAILER-DAEMON@mx.receiver.example>',
    `To: ${d.to}`,
    `Subject: ${d.action === 'delayed' ? 'Delayed Mail (still being retried)' : 'Undelivered Mail Returned to Sender'}`,
    `Message-ID: ${d.reportId ?? '<20260101.dsn.1@mx.receiver.example>'}`,
    'Date: Thu, 01 Jan 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    'Auto-Submitted: auto-replied',
    '',
    'This is a MIME-encapsulated message.',
    '',
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.receiver.example.',
    '',
    "I'm sorry to have to inform you that your message could not",
    'be delivered to one or more recipients.',
    '',
    `<${d.recipient}>: host mx.receiver.example said: ${d.diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.receiver.example',
    'X-Postfix-Queue-ID: 4F2B81C0123',
    'Arrival-Date: Thu,  1 Jan 2026 09:59:58 +0000 (UTC)',
    '',
    `Final-Recipient: rfc822; ${d.recipient}`,
    `Original-Recipient: rfc822;${d.recipient}`,
    `Action: ${d.action}`,
    `Status: ${d.status}`,
    'Remote-MTA: dns; mailstore.receiver.example',
    `Diagnostic-Code: smtp; ${d.diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    'Return-Path: <bounces@bounce.example.com>',
    'From: Demo shop <shop@example.com>',
    `To: ${d.recipient}`,
    'Subject: Welcome, Ann!',
    `Message-ID: ${d.originalMessageId}`,
    'Date: Thu, 01 Jan 2026 09:59:57 +0000',
    'MIME-Version: 1.0',
    '',
    `--${boundary}--`,
    '',
  );
}

export interface ArfInput {
  to: string;
  feedbackType: string;
  recipient: string;
  originalMessageId: string;
}

export function arf(a: ArfInput): string {
  const boundary = 'arf-boundary-0002';
  return lines(
    'From: Feedback Loop <fbl@isp.example>',
    `To: ${a.to}`,
    'Subject: FW: Welcome, Ann!',
    'Message-ID: <20260101.arf.1@isp.example>',
    'Date: Thu, 01 Jan 2026 11:00:00 +0000',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset="US-ASCII"',
    'Content-Transfer-Encoding: 7bit',
    '',
    'This is an email abuse report for an email message received from IP',
    '192.0.2.1 on Thu, 01 Jan 2026 10:00:00 +0000.',
    '',
    `--${boundary}`,
    'Content-Type: message/feedback-report',
    '',
    `Feedback-Type: ${a.feedbackType}`,
    'User-Agent: SomeGenerator/1.0',
    'Version: 1',
    'Original-Mail-From: <bounces@bounce.example.com>',
    `Original-Rcpt-To: <${a.recipient}>`,
    'Received-Date: Thu, 01 Jan 2026 10:00:00 +0000',
    'Source-IP: 192.0.2.1',
    'Reported-Domain: example.com',
    '',
    `--${boundary}`,
    'Content-Type: message/rfc822',
    'Content-Disposition: inline',
    '',
    'From: Demo shop <shop@example.com>',
    `To: ${a.recipient}`,
    'Subject: Welcome, Ann!',
    `Message-ID: ${a.originalMessageId}`,
    'Date: Thu, 01 Jan 2026 09:59:57 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain',
    '',
    'Hello Ann.',
    '',
    `--${boundary}--`,
    '',
  );
}

/** Delivers a raw message over SMTP (null return path, as a report has) to a port on loopback. */
export async function deliverReport(port: number, to: string, raw: string): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from: '', to: [to] }, raw });
  } finally {
    transport.close();
  }
}
