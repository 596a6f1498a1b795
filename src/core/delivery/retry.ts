// When to try a failed message again: exponential backoff with ±20 % jitter, at least what the
// receiver asked for (Retry-After). With the default base of one minute and factor 3, the eight
// attempts of spec 04 spread over about eighteen hours.

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  factor: number;
  capMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 8, baseMs: 60_000, factor: 3, capMs: 12 * 3_600_000 };

/** Delay before attempt `attempts + 1` after `attempts` failed ones; `random` in [0, 1). */
export function retryDelay(
  policy: RetryPolicy,
  attempts: number,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, attempts - 1));
  const jittered = exp * (0.8 + 0.4 * random());
  return Math.round(Math.max(jittered, retryAfterMs));
}
