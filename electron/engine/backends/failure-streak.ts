// How long a model endpoint has been failing: 5xx answers and unreachable upstreams in a row, ended by any other answer.

/**
 * A streak of failures this long means the endpoint is down, not hiccuping. Qwen Code retries a 5xx for 80–115 s,
 * and the last request of its third attempt comes 11–16 s after its first failure: 10 s gives up by then, well
 * inside 30 s of the start. Claude's retries (its api_retry lines, stream-json.ts) are timed the same way: its
 * sixth attempt comes ~18 s after the first failure.
 */
export const GIVE_UP_AFTER_MS = 10_000;

export class FailureStreak {
  private since: number | null = null;
  private gaveUp = false;

  constructor(
    private readonly windowMs = GIVE_UP_AFTER_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Any answer that is not a 5xx. */
  succeeded(): void {
    this.since = null;
  }

  /**
   * A 5xx or an unreachable upstream: true the one time the streak has lasted the window. An agent that says when it
   * tries again (`nextAttemptInMs`) cannot succeed before then: a streak that will have lasted the window by that
   * attempt has lasted it now.
   */
  failed(nextAttemptInMs = 0): boolean {
    const at = this.now();
    this.since ??= at;
    if (this.gaveUp || at + Math.max(0, nextAttemptInMs) - this.since < this.windowMs) return false;
    this.gaveUp = true;
    return true;
  }
}
