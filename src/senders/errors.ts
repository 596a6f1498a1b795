// The errors of the senders: an address the outbound guard denies, a provider's token that could not be had.

export const DENIED_CODE = 'HERALD_DENIED_ADDRESS';

/** A destination the outbound guard refuses (a private or denied address): a permanent failure. */
export class DeniedAddress extends Error {
  readonly code = DENIED_CODE;
}

/** An access token a provider would not give; `transient` when asking again later may succeed. */
export class TokenError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}
