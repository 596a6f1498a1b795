// The errors of the HTTP front: why a body was not taken in, why an answer came early, why a
// request's effects must not commit.
import { ApiError } from '../core/base/errors.js';
import type { RawResponse } from './envelope.js';

export class BodyTooLarge extends Error {
  readonly code = 'HERALD_BODY_TOO_LARGE';
}

export class BodyOverBudget extends Error {
  readonly code = 'HERALD_BODY_OVER_BUDGET';
}

export class BodyTooSlow extends Error {
  readonly code = 'HERALD_BODY_TOO_SLOW';
}

/** An answer decided before the body is read (the early token check refused the request). */
export class EarlyAnswer extends Error {
  constructor(readonly response: RawResponse) {
    super('answered before the body');
  }
}

/** The key was taken over by a retry of this request while it ran: its effects must not commit. */
export class KeyTakenOver extends ApiError {}
