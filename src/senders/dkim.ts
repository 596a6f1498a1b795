// DKIM signatures (RFC 6376, spec 07) of a message built whole in memory: relaxed/relaxed, RSA-SHA256
// for an RSA key, Ed25519-SHA256 (RFC 8463) for an Ed25519 key. The key is parsed once, when the
// sender is made (parsing a PEM costs as much as a signature); a message costs one hash of its body,
// one of its headers and one signature — no stream pipeline, no copy of the message but the result.
// An RSA signature is made in libuv's thread pool (crypto.sign with a callback): it costs more
// than composing the message, and off the event loop it runs beside the next messages.
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { DkimSettings } from '../core/catalog/types.js';

export interface DkimSigner {
  /** The message with its DKIM-Signature header field first. */
  sign(raw: Buffer): Promise<Buffer>;
}

/**
 * The header fields signed when present: RFC 6376 5.4.1's list, with MIME-Version, the
 * List-Unsubscribe pair (RFC 8058 asks that one-click unsubscribe be signed) and Feedback-ID.
 */
const SIGNED = [
  'from',
  'sender',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'to',
  'cc',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'in-reply-to',
  'references',
  'list-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
  'feedback-id',
];

const CRLF = '\r\n';

/** Relaxed header canonicalisation (3.4.2): name in lower case, value unfolded, runs of WSP one SP, trimmed. */
const relaxedValue = (value: string): string =>
  // Most values are one line with single spaces: trimmed, they are their relaxed form.
  value.includes('\r') || value.includes('\t') || value.includes('  ')
    ? value
        .replace(/\r\n/g, '')
        .replace(/[ \t]+/g, ' ')
        .trim()
    : value.trim();

/** The header fields of a header block, in order: [lower-case name, value]. */
function fieldsOf(head: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of head.split(CRLF)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length > 0) {
      out[out.length - 1]![1] += CRLF + line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) out.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1)]);
  }
  return out;
}

/** Relaxed body canonicalisation (3.4.4): WSP runs one SP, none at line ends, no empty lines at the end. */
export function relaxedBody(body: string): string {
  let out = body.replace(/[ \t]+/g, ' ').replace(/ \r\n/g, CRLF);
  let end = out.length;
  while (end >= 2 && out.charCodeAt(end - 2) === 13 && out.charCodeAt(end - 1) === 10) end -= 2;
  out = out.slice(0, end);
  if (out.endsWith(' ')) out = out.slice(0, -1);
  return out.length === 0 ? '' : out + CRLF;
}

const TAB = 0x09;
const SP = 0x20;

/**
 * The SHA-256 of the relaxed body of `raw` from `start`. A body with no tab, no run of spaces and
 * no space before a line end (what Herald's MIME writes: base64 and quoted-printable never have
 * them, most HTML neither) is its own relaxed form but for the empty lines at its end: hashed
 * from the buffer as it is, without a string copy of the message and two passes of expressions.
 */
function bodyHash(raw: Buffer, start: number): string {
  let end = raw.length;
  const plain =
    raw.indexOf(TAB, start) < 0 &&
    raw.indexOf('  ', start, 'latin1') < 0 &&
    raw.indexOf(' \r\n', start, 'latin1') < 0 &&
    (end === start || raw[end - 1] !== SP);
  if (!plain)
    return createHash('sha256')
      .update(relaxedBody(raw.toString('latin1', start)), 'latin1')
      .digest('base64');
  while (end - 2 >= start && raw[end - 2] === 13 && raw[end - 1] === 10) end -= 2;
  const hash = createHash('sha256');
  if (end > start) hash.update(raw.subarray(start, end)).update(CRLF);
  return hash.digest('base64');
}

/** crypto.sign in libuv's thread pool. */
const signInPool = (algorithm: string | null, data: Buffer, key: KeyObject): Promise<Buffer> =>
  new Promise((resolve, reject) => sign(algorithm, data, key, (err, b) => (err ? reject(err) : resolve(b))));

/** The base64 signature folded into lines of 76 characters at most. */
function fold(b64: string): string {
  let out = b64.slice(0, 72);
  for (let at = 72; at < b64.length; at += 72) out += `${CRLF} ${b64.slice(at, at + 72)}`;
  return out;
}

export function dkimSigner(settings: DkimSettings): DkimSigner {
  const key: KeyObject = createPrivateKey(settings.privateKey);
  const ed25519 = key.asymmetricKeyType === 'ed25519';
  const algorithm = ed25519 ? 'ed25519-sha256' : 'rsa-sha256';
  return {
    async sign(raw: Buffer): Promise<Buffer> {
      // latin1: one character per byte, so the hashes are over the bytes as sent.
      const split = raw.indexOf(CRLF + CRLF, 0, 'latin1');
      const head = raw.toString('latin1', 0, split < 0 ? raw.length : split);
      const bh = bodyHash(raw, split < 0 ? raw.length : split + 4);
      const fields = fieldsOf(head);
      const names: string[] = [];
      let signed = '';
      for (const name of SIGNED) {
        // The last instance of a field is the one a verifier takes first (5.4.2).
        const field = fields.findLast(([n]) => n === name);
        if (!field) continue;
        names.push(name);
        signed += `${name}:${relaxedValue(field[1])}${CRLF}`;
      }
      const header =
        `DKIM-Signature: v=1; a=${algorithm}; c=relaxed/relaxed; d=${settings.domain}; s=${settings.selector};` +
        `${CRLF} h=${names.join(':')};${CRLF} bh=${bh};${CRLF} b=`;
      signed += `dkim-signature:${relaxedValue(header.slice(header.indexOf(':') + 1))}`;
      const data = Buffer.from(signed, 'latin1');
      // Ed25519 signs the SHA-256 hash of the header data (RFC 8463 3) at once: cheaper than a trip to
      // the pool. RSA signs the data itself, in the pool.
      const b = ed25519
        ? sign(null, createHash('sha256').update(data).digest(), key)
        : await signInPool('sha256', data, key);
      return Buffer.concat([Buffer.from(header + fold(b.toString('base64')) + CRLF, 'latin1'), raw]);
    },
  };
}
