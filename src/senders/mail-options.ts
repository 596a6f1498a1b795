// The nodemailer message for an email: used by the SMTP sender and by the file sender (which
// writes the same MIME to an .eml). File and URL access are off: content never names a path.
import type { EmailOut } from '../core/delivery/outgoing.js';

export function mailOptions(m: EmailOut) {
  return {
    from: m.from.name ? { name: m.from.name, address: m.from.address } : m.from.address,
    ...(m.replyTo
      ? { replyTo: m.replyTo.name ? { name: m.replyTo.name, address: m.replyTo.address } : m.replyTo.address }
      : {}),
    to: m.to,
    subject: m.subject,
    messageId: m.messageId,
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.html !== undefined ? { html: m.html } : {}),
    attachments: m.attachments.map((a) => ({ filename: a.name, content: a.data, contentType: a.mime })),
    headers: m.headers,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
