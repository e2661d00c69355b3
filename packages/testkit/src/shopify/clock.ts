/** The fake's notion of "now", injectable so cost refill, token expiry and bulk timing are deterministic. */
export interface FakeClock {
  /** Milliseconds since the epoch. */
  now(): number
}

/** A clock that only moves when told to. */
export interface ManualClock extends FakeClock {
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void
  /** Jumps to an absolute time in epoch milliseconds. */
  set(ms: number): void
}

/** The wall clock. */
export const systemClock: FakeClock = { now: () => Date.now() }

/** Creates a manual clock starting at `startMs` (default 2026-11-01T00:00:00Z). */
export function manualClock(startMs = Date.UTC(2026, 10, 1)): ManualClock {
  let current = startMs
  return {
    now: () => current,
    advance: (ms) => {
      current += ms
    },
    set: (ms) => {
      current = ms
    },
  }
}

/** ISO-8601 with `Z`, seconds precision, as GraphQL `DateTime` values look. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** REST/webhook style timestamp with an explicit offset (the shop runs on UTC here). */
export function restTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00')
}
