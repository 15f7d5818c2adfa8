// How long to wait before each reconnect attempt: doubling from a first delay up to a ceiling, with jitter so that
// many clients of one restarted engine do not all knock at once.

export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** 0 for none; 0.2 spreads each delay over ±20 %. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 250, maxDelayMs: 10_000, jitter: 0.2 };

/** The delay before attempt `attempt` (0 for the first retry). `random` returns [0, 1). */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt, 30));
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}
