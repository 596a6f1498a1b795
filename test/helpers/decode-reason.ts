// The reason a decoder refused a value (DecodeError.reason), for unit tests of decoders; a decoder
// that accepts the value fails the test.
import { DecodeError } from '../../src/core/base/errors.js';

export function decodeReason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return err.reason;
    throw err;
  }
  throw new Error('decoded');
}
