// How a request's wire format writes values that the core reads as plain JSON values (spec 01).
// The codec a request came in supplies its policy (http/codecs/); decoders ask the policy, never
// which format the request was. JSON needs no leniency: its policy is the plain one below.

export interface WirePolicy {
  /** The policy's name: a task stores it, to decode its items as they were sent. */
  readonly name: string;
  /** `value` stands for an empty value: {} where an object is meant, [] for an array, absent otherwise (XML: an empty element). */
  isEmpty(value: unknown): boolean;
  /** A value given once where an array is meant is the array of that one value (XML: an element not repeated). */
  readonly singleIsArray: boolean;
  /** The system field a name not defined in the database stands for (XML: `fname` for `_fname`), if any. */
  fieldAlias(name: string): string | undefined;
}

/** Values as JSON writes them: nothing stands for anything else. */
export const PLAIN_WIRE: WirePolicy = {
  name: 'json',
  isEmpty: () => false,
  singleIsArray: false,
  fieldAlias: () => undefined,
};
