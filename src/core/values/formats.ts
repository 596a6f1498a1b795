// Format checks for profile values: email addresses, IP addresses, dates and time zones.
// Cheap enough for the import hot path (no parsing library per value).
import { isIP } from 'node:net';

// WHATWG "valid email address", with a dot required in the domain: marketing mail needs a
// routable domain, and `user@localhost` in a customer base is a typo.
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/** The trimmed address when valid, else undefined. */
export function normalizeEmail(input: string): string | undefined {
  const s = input.trim();
  return s.length <= 254 && EMAIL.test(s) ? s : undefined;
}

/** The key emails are compared by (case-insensitive). */
export const emailKey = (email: string): string => email.toLowerCase();

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

export function normalizeIp(input: string): string | undefined {
  const s = input.trim();
  return isIP(s) ? s : undefined;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 and what client libraries write besides (spec 03, Decision "date and datetime encodings"):
// `T` or a space; seconds optional (Altcraft's pages show `2001-12-31T00:00+03:00`); any number of
// fractional digits; an offset `Z`, `+03:00`, `+0300` (Jackson), `+03`, or none (read as UTC).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
/** Epoch milliseconds (13 digits) or seconds (10 digits or fewer), as a number or a numeric string. */
const EPOCH_MS = /^\d{13}$/;
const EPOCH_S = /^\d{1,10}$/;

/** What a date or datetime may be written as, for error messages. */
export const DATE_ENCODINGS =
  'RFC 3339 (2024-05-01T10:00:00Z; an offset as +03:00, +0300 or +03, or none for UTC; T or a space), YYYY-MM-DD, or epoch milliseconds (13 digits) or seconds (up to 10 digits)';

/** Date.UTC, with years below 100 as written (Date.UTC reads them as 19xx). */
function utc(y: number, m: number, d: number, hh = 0, mm = 0, ss = 0, ms = 0): number {
  const t = new Date(Date.UTC(2000, m - 1, d, hh, mm, ss, ms));
  t.setUTCFullYear(y);
  return t.getTime();
}

function validCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** A date-time written as text (RFC 3339 and its variants above, or a full date) as epoch milliseconds, or undefined. */
export function parseDateTime(input: string): number | undefined {
  const s = input.trim();
  const dateOnly = DATE_ONLY.exec(s);
  if (dateOnly) {
    const [, y, m, d] = dateOnly;
    if (!validCalendarDate(+y, +m, +d)) return undefined;
    return utc(+y, +m, +d);
  }
  const dt = DATE_TIME.exec(s);
  if (!dt) return undefined;
  const [, y, m, d, hh, mm, ss = '0', frac = '', , sign, oh, om = '0'] = dt;
  if (!validCalendarDate(+y, +m, +d) || +hh > 23 || +mm > 59 || +ss > 60) return undefined;
  if (sign !== undefined && (+oh > 23 || +om > 59)) return undefined;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const local = utc(+y, +m, +d, +hh, +mm, Math.min(+ss, 59), ms);
  const offset = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (+oh * 60 + +om) * 60_000;
  return local - offset;
}

/** A date or datetime in any accepted encoding (text or epoch, as a number or numeric string) as epoch milliseconds. */
export function parseDateValue(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? parseEpoch(String(value)) : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  return /^\d+$/.test(s) ? parseEpoch(s) : parseDateTime(s);
}

function parseEpoch(digits: string): number | undefined {
  if (EPOCH_MS.test(digits)) return Number(digits);
  if (EPOCH_S.test(digits)) return Number(digits) * 1000;
  return undefined;
}

/** A date-time in any accepted encoding, normalised to RFC 3339 UTC with milliseconds. */
export function normalizeDateTime(value: unknown): string | undefined {
  const ms = parseDateValue(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

let zones: Set<string> | undefined;
export function isTimeZone(name: string): boolean {
  zones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);
  if (zones.has(name)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
