import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../../../shared/protocol/client/backoff.js';

describe('backoffDelayMs', () => {
  const policy = { initialDelayMs: 250, maxDelayMs: 10_000, jitter: 0 };

  it('doubles from the first delay up to the ceiling', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 100].map((n) => backoffDelayMs(policy, n))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('spreads each delay by the jitter, both ways', () => {
    expect(backoffDelayMs(DEFAULT_BACKOFF, 2, () => 0)).toBe(800);
    expect(backoffDelayMs(DEFAULT_BACKOFF, 2, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(DEFAULT_BACKOFF, 2, () => 0.999999)).toBe(1200);
  });
});
