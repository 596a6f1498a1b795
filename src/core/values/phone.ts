// Phone numbers (spec 03, Decision "valid phone"): after removing spaces and `( ) - .`, a leading
// `+` (or `00`) means international: 8–15 digits with a known country calling code and a length
// that libphonenumber calls "possible" for it. Digits without them are read first as such an
// international number (`79001234567`), else as a national number of the database's phone region
// (`89001234567` in RU is `+79001234567`). Normalised to E.164.
// The check reads libphonenumber's own metadata directly: a full parse costs ~4 µs a number,
// this costs a table lookup; only numbers the table refuses go to the library, which may still
// accept some (it strips national prefixes), so the result is always the library's.
import {
  isPossiblePhoneNumber,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/min';
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

/** Whether `code` is a country libphonenumber knows (ISO 3166 alpha-2, upper case): a valid phone region. */
export function isPhoneRegion(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

/**
 * The E.164 form of a phone number, or undefined when it is not a valid phone. `region`: the
 * country whose national numbers are accepted too (a database's phone region), if any.
 */
export function normalizePhone(input: string, region?: string): string | undefined {
  if (input.charCodeAt(0) === 43 /* + */ && DIGITS.test(input.slice(1))) return international(input);
  let s = input.replace(SEPARATORS, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (s.charCodeAt(0) === 43) return DIGITS.test(s.slice(1)) ? international(s) : undefined;
  if (!DIGITS.test(s)) return undefined;
  return international(`+${s}`) ?? (region !== undefined ? national(s, region) : undefined);
}

/** `+` and digits: the number when possible, else undefined. */
function international(s: string): string | undefined {
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

/** A national number of `region` (its trunk prefix, like RU's 8, allowed) in E.164, when possible. */
function national(digits: string, region: string): string | undefined {
  if (!isPhoneRegion(region)) return undefined;
  const parsed = parsePhoneNumberFromString(digits, region as CountryCode);
  if (!parsed || !parsed.isPossible()) return undefined;
  return international(parsed.number);
}
