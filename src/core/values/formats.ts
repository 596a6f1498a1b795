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
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function validCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** An RFC 3339 date-time (or full-date) as epoch milliseconds, or undefined. */
export function parseDateTime(input: string): number | undefined {
  const s = input.trim();
  const dateOnly = DATE_ONLY.exec(s);
  if (dateOnly) {
    const [, y, m, d] = dateOnly;
    if (!validCalendarDate(+y, +m, +d)) return undefined;
    return Date.UTC(+y, +m - 1, +d);
  }
  const dt = DATE_TIME.exec(s);
  if (!dt) return undefined;
  const [, y, m, d, hh, mm, ss] = dt;
  if (!validCalendarDate(+y, +m, +d) || +hh > 23 || +mm > 59 || +ss > 60) return undefined;
  const ms = Date.parse(s.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** `_bdate`: `YYYY-MM-DD` or RFC 3339, stored as `YYYY-MM-DD`. */
export function normalizeDate(input: string): string | undefined {
  const s = input.trim();
  const dateOnly = DATE_ONLY.exec(s);
  if (dateOnly) return validCalendarDate(+dateOnly[1], +dateOnly[2], +dateOnly[3]) ? s : undefined;
  const dt = DATE_TIME.exec(s);
  if (!dt || parseDateTime(s) === undefined) return undefined;
  return `${dt[1]}-${dt[2]}-${dt[3]}`;
}

/** A date-time normalised to RFC 3339 UTC with milliseconds. */
export function normalizeDateTime(input: string): string | undefined {
  const ms = parseDateTime(input);
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
