// The MIME of an email, built in one pass into one buffer: no stream, no node tree, no random
// bytes but a boundary's. Header values go through nodemailer's own encoder (addresses punycoded
// and quoted, RFC 2047 words for non-ASCII text, CR/LF and control characters made harmless), so
// headers read exactly as nodemailer wrote them; what differs is the body's encoding, chosen for
// speed without giving up correctness:
// - 7bit when a part is ASCII with no line over 998 octets (RFC 5322 2.1.1) — nearly every
//   template, tracked links included, goes out as written;
// - base64 (native) when it holds non-ASCII text;
// - quoted-printable for ASCII with a line too long to send as is.
// Attachments are base64, named with RFC 2231 parameters (and a `name` for clients that read only that).
import { randomBytes } from 'node:crypto';
import { buildHeaderValue, encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import type { EmailOut, MailAddress } from '../core/delivery/outgoing.js';

/** The encoder of header values a MimeNode is (public since nodemailer 8; not in its typings). */
interface HeaderEncoder {
  encodeHeaderValue(key: string, value: unknown): string;
}
const encoder = new MimeNode('text/plain') as unknown as HeaderEncoder;

const CRLF = '\r\n';

export interface BuiltMail {
  raw: Buffer;
  /** MAIL FROM and RCPT TO, as nodemailer derives them from the headers (IDN domains punycoded). */
  envelope: { from: string; to: string[] };
}

/** A header line, folded at 76 characters as nodemailer folds it; none (empty) for a blank value. */
function header(key: string, value: unknown): string {
  const encoded = encoder.encodeHeaderValue(key, value);
  return encoded.trim() ? foldLines(`${key}: ${encoded}`, 76) : '';
}

/**
 * The common case without the encoder: printable ASCII needs no encoding (the encoder answers the
 * same), and a line of 76 characters or fewer no folding.
 */
const PRINTABLE = /^[\x20\x21\x23-\x7e]*$/;
function textHeader(key: string, value: string): string {
  // A quote or what looks like an encoded word is encoded by the encoder.
  if (!PRINTABLE.test(value) || value.includes('=?')) return header(key, value);
  if (!value.trim()) return '';
  const line = `${key}: ${value}`;
  return line.length <= 76 ? line : foldLines(line, 76);
}

/** A plain address the encoder leaves as it is: a dot-atom mailbox at a lower-case ASCII domain. */
const PLAIN =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?!.*xn--)[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;

/** From and Reply-To lines: one per sender address and name, kept. */
const addressLines = new Map<string, string>();
function addressHeader(key: 'From' | 'Reply-To', a: MailAddress): string {
  const id = `${key}\n${a.name ?? ''}\n${a.address}`;
  let line = addressLines.get(id);
  if (line === undefined) {
    line = header(key, a.name ? { name: a.name, address: a.address } : a.address);
    if (addressLines.size >= 1000) addressLines.clear();
    addressLines.set(id, line);
  }
  return line;
}

/** An address as the envelope carries it: the header's normalized form without angle brackets. */
function envelopeAddress(address: string): string {
  if (PLAIN.test(address)) return address;
  const v = encoder.encodeHeaderValue('To', address);
  return v.startsWith('<') && v.endsWith('>') ? v.slice(1, -1) : v;
}

// Boundaries: random, from a pool refilled in blocks (one randomBytes call per 512 messages).
let pool = Buffer.alloc(0);
let at = 0;
function boundary(): string {
  if (at + 12 > pool.length) {
    pool = randomBytes(12 * 512);
    at = 0;
  }
  at += 12;
  // base64url has no '=' and '_' never occurs in base64 content; the prefix makes a clash with text unlikely,
  // and text parts are checked for it anyway.
  return `=_herald_${pool.toString('base64url', at - 12, at)}`;
}

/** ASCII without control characters but tab, CR and LF. */
const ASCII = /^[\t\n\r\x20-\x7e]*$/;

function hasLongLine(text: string, max: number): boolean {
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    if (end - start - (text.charCodeAt(end - 1) === 13 ? 1 : 0) > max) return true;
    if (nl < 0) return false;
    start = nl + 1;
  }
}

/**
 * Quoted-printable (RFC 2045 6.7) of ASCII text with CRLF line ends: `=` escaped, whitespace at a
 * line's end escaped, lines cut at 76 characters with soft breaks, never inside an escape. Text of
 * printable ASCII and tabs only, so nothing else needs escaping (nodemailer's encoder goes byte
 * by byte in JavaScript; this is a replace and slices).
 */
export function quotedPrintableAscii(text: string): string {
  const out: string[] = [];
  for (let line of text.split(CRLF)) {
    line = line.replaceAll('=', '=3D');
    const last = line.charCodeAt(line.length - 1);
    if (last === 32 || last === 9) line = `${line.slice(0, -1)}${last === 32 ? '=20' : '=09'}`;
    while (line.length > 76) {
      // Every '=' in the line starts an escape: cut before one that the cut would split.
      const cut = line[74] === '=' ? 74 : line[73] === '=' ? 73 : 75;
      out.push(`${line.slice(0, cut)}=`);
      line = line.slice(cut);
    }
    out.push(line);
  }
  return out.join(CRLF);
}

const base64Lines = (data: Buffer): string => data.toString('base64').replace(/.{76}(?=.)/g, `$&${CRLF}`);

interface Part {
  head: string;
  body: string;
}

/** A text part (text/plain or text/html), its encoding picked as the header comment says. */
function textPart(type: 'text/plain' | 'text/html', text: string): Part {
  const contentType = `Content-Type: ${type}; charset=utf-8`;
  if (ASCII.test(text)) {
    const lines = text.replace(/\r\n|\r|\n/g, CRLF);
    if (!hasLongLine(lines, 998)) return { head: `${contentType}${CRLF}Content-Transfer-Encoding: 7bit`, body: lines };
    return {
      head: `${contentType}${CRLF}Content-Transfer-Encoding: quoted-printable`,
      body: quotedPrintableAscii(lines),
    };
  }
  return {
    head: `${contentType}${CRLF}Content-Transfer-Encoding: base64`,
    body: base64Lines(Buffer.from(text.replace(/\r\n|\r|\n/g, CRLF), 'utf8')),
  };
}

/** Drops what cannot stand in a MIME type token. */
const mimeType = (t: string): string => t.replace(/[^\w!#$&^.+/-]/g, '') || 'application/octet-stream';

function attachmentPart(a: EmailOut['attachments'][number]): Part {
  // The `name` parameter as nodemailer writes it (an RFC 2047 word when not ASCII), filename as RFC 2231.
  const name = encodeWords(a.name.replace(/[\x00-\x1f\x7f]/g, ''), 'B', 52, true);
  const quotedName = name !== a.name || /[\s'"\\;:/=(),<>@[\]?]|^-/.test(name) ? JSON.stringify(name) : name;
  return {
    head: [
      foldLines(`Content-Type: ${mimeType(a.mime)}; name=${quotedName}`, 76),
      'Content-Transfer-Encoding: base64',
      foldLines(`Content-Disposition: ${buildHeaderValue({ value: 'attachment', params: { filename: a.name } })}`, 76),
    ].join(CRLF),
    body: base64Lines(a.data),
  };
}

/** A multipart body of `parts`, under a boundary that none of its text contains. */
function multipart(subtype: 'alternative' | 'mixed', parts: Part[]): Part {
  let b = boundary();
  while (parts.some((p) => p.body.includes(b) || p.head.includes(b))) b = boundary();
  let body = '';
  for (const p of parts) body += `--${b}${CRLF}${p.head}${CRLF}${CRLF}${p.body}${CRLF}`;
  return { head: `Content-Type: multipart/${subtype}; boundary="${b}"`, body: `${body}--${b}--` };
}

function bodyOf(m: EmailOut): Part {
  const texts: Part[] = [];
  // An empty text or HTML is no part at all (as nodemailer has it).
  if (m.text) texts.push(textPart('text/plain', m.text));
  if (m.html) texts.push(textPart('text/html', m.html));
  if (texts.length === 0) texts.push(textPart('text/plain', ''));
  const content = texts.length === 1 ? texts[0]! : multipart('alternative', texts);
  return m.attachments.length === 0 ? content : multipart('mixed', [content, ...m.attachments.map(attachmentPart)]);
}

/** The whole message: headers, then the body; `date` is the Date header (now by default). */
export function buildMail(m: EmailOut, date: Date = new Date()): BuiltMail {
  const lines = [
    addressHeader('From', m.from),
    ...(m.replyTo ? [addressHeader('Reply-To', m.replyTo)] : []),
    PLAIN.test(m.to) && m.to.length <= 72 ? `To: ${m.to}` : header('To', m.to),
    textHeader('Subject', m.subject),
    header('Message-ID', m.messageId),
    `Date: ${date.toUTCString().replace(/GMT/, '+0000')}`,
    'MIME-Version: 1.0',
  ];
  for (const [key, value] of Object.entries(m.headers))
    lines.push(textHeader(key.replace(/[^\x21-\x39\x3b-\x7e]/g, ''), value));
  const body = bodyOf(m);
  lines.push(body.head);
  return {
    raw: Buffer.from(`${lines.filter(Boolean).join(CRLF)}${CRLF}${CRLF}${body.body}${body.body ? CRLF : ''}`, 'utf8'),
    envelope: { from: envelopeAddress(m.envelopeFrom ?? m.from.address), to: [envelopeAddress(m.to)] },
  };
}
