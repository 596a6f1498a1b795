// Phone numbers (spec 03, Decision "valid phone"): after removing spaces and `( ) - .`, a leading
// `+` (or `00`), then 8–15 digits with a known country calling code and a length that
// libphonenumber calls "possible" for it. Normalised to E.164.
// The check reads libphonenumber's own metadata directly: a full parse costs ~4 µs a number,
// this costs a table lookup; only numbers the table refuses go to the library, which may still
// accept some (it strips national prefixes), so the result is always the library's.
import { isPossiblePhoneNumber } from 'libphonenumber-js/min';
import metadata from 'libphonenumber-js/metadata.min.json';

interface MinMetadata {
  country_calling_codes: Record<string, string[]>;
  countries: Record<string, [string, unknown, unknown, number[], ...unknown[]]>;
  nonGeographic?: Record<string, [string, unknown, unknown, number[], ...unknown[]]>;
}

const possibleLengths = new Map<string, ReadonlySet<number>>();
{
  const meta = metadata as unknown as MinMetadata;
  for (const [code, countries] of Object.entries(meta.country_calling_codes)) {
    const main = meta.countries[countries[0]] ?? meta.nonGeographic?.[code];
    if (main) possibleLengths.set(code, new Set(main[3]));
  }
}

const SEPARATORS = /[\s().-]/g;
const DIGITS = /^\d+$/;

/** The E.164 form of a phone number, or undefined when it is not a valid phone. */
export function normalizePhone(input: string): string | undefined {
  let s = input;
  if (!(s.charCodeAt(0) === 43 /* + */ && DIGITS.test(s.slice(1)))) {
    s = s.replace(SEPARATORS, '');
    if (s.startsWith('00')) s = `+${s.slice(2)}`;
    if (s.charCodeAt(0) !== 43 || !DIGITS.test(s.slice(1))) return undefined;
  }
  const digits = s.length - 1;
  if (digits < 8 || digits > 15) return undefined;
  for (let ccLength = 1; ccLength <= 3; ccLength++) {
    const lengths = possibleLengths.get(s.slice(1, 1 + ccLength));
    if (lengths) {
      if (lengths.has(digits - ccLength)) return s;
      break;
    }
  }
  return isPossiblePhoneNumber(s) ? s : undefined;
}
