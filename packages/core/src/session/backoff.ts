// Reconnect delays: lazer's 3 s × 1.5ⁿ capped at 120 s, with ±25 % jitter so that clients dropped together
// (a server restart) do not all come back in the same second.

/** How reconnect delays grow. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** Growth per consecutive failure. */
  factor: number;
  /** No delay is longer than this, jitter included. */
  maxMs: number;
  /** Relative spread: 0.25 means ±25 %. */
  jitter: number;
}

/** The defaults: 3 s × 1.5 per attempt, capped at 120 s, ±25 % jitter. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialMs: 3_000,
  factor: 1.5,
  maxMs: 120_000,
  jitter: 0.25,
});

/**
 * The delay before retry number `attempt` (1 for the first retry after a failure). `random` returns a number
 * in [0, 1]: 0 gives the shortest delay (−jitter), 0.5 the nominal one, 1 the longest (+jitter). The cap is
 * applied after the jitter, so at the cap the spread only goes downwards.
 *
 * @example
 * ```ts
 * backoffDelay(1, DEFAULT_BACKOFF, () => 0.5); // 3000
 * backoffDelay(2, DEFAULT_BACKOFF, () => 1); // 5625 (4500 + 25 %)
 * backoffDelay(99, DEFAULT_BACKOFF, () => 0); // 90000 (120 s − 25 %)
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  // Capping the nominal delay first also keeps large attempt counts away from Infinity.
  const nominal = Math.min(options.maxMs, options.initialMs * options.factor ** exponent);
  const spread = 1 + options.jitter * (2 * clamp01(random()) - 1);
  return Math.round(Math.min(options.maxMs, nominal * spread));
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0.5;
}
