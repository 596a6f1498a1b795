// Time as the core sees it: injected, so tests run on a clock they move themselves.

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
