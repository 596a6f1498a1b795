// Joined writes: concurrent write requests that could have been one batch run as one. Requests of a
// method that declares `joined` (import_and_start, profiles/import, profiles/update), of one account and configuration version,
// whose bodies are the same but for their `data` (and token), queue under one key. A group starts
// as soon as the key's runner is free and takes what waits, so a request that meets no
// other runs at once, alone, exactly as without joining; under load the requests that arrived
// while a group ran form the next one, and a burst of sign-ups costs one transaction, one lookup
// and one write per group instead of per request. Each request is answered after its group's
// commit, with its own payload or error. A group that fails as a whole runs each request alone
// (nothing of the group was stored); one whose storage was lost fails every request with it.

import type { JoinLimits } from '../core/base/joiner.js';

/**
 * How one key's groups of requests run. One at a time makes the largest groups: on PostgreSQL, 32
 * connections of single requests ran ~10 % faster with one runner than with two (BENCHMARKS.md).
 */
export const JOIN_LIMITS: JoinLimits = { runners: 1, members: 256 };
