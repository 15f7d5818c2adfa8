import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../../shared/domain.js';
import { DEFAULT_POLICY, nextAttempt } from '../../../../electron/engine/retries/retry-plan.js';
import type { EffectivePolicy } from '../../../../electron/engine/retries/retry-plan.js';
import { transientCause } from '../../../../electron/engine/retries/transient.js';

const QUICK = 1;
const DEEP = 2;
const names: Record<number, string> = { [QUICK]: 'quick', [DEEP]: 'deep' };

function run(id: number, fields: Partial<RunInfo> = {}): RunInfo {
  const base = { id, taskId: 1, attempt: id, status: 'failed', reason: 'exited with code 1', check: null, profileId: null, retry: null, kind: 'start' };
  return { ...base, ...fields } as RunInfo;
}

function plan(runs: RunInfo[], policies: Record<number, Partial<EffectivePolicy>> = {}) {
  return nextAttempt({
    failed: runs.at(-1)!,
    runs,
    taskProfileId: QUICK,
    policyOf: (id) => ({ ...DEFAULT_POLICY, ...policies[id] }),
    nameOf: (id) => names[id]!,
  });
}

const retried = (kind: 'transient' | 'retry' | 'escalation', profile = QUICK) => ({
  retry: { kind, note: '', profile: names[profile]! },
  profileId: profile === QUICK ? null : profile,
});

describe('transientCause', () => {
  it.each([
    ['API error: HTTP 429: slow down (then the agent exited with code 1)', 'a rate limit (429)'],
    ['API error: [API Error: rate limit exceeded]', 'a rate limit (429)'],
    ['API error: HTTP 503: overloaded', 'a model error (HTTP 503)'],
    ['API error: HTTP 529 (overloaded_error); Claude was still retrying after 10 attempts', 'a model error (HTTP 529)'],
    ['API error: HTTP 502: could not reach the model endpoint (ECONNREFUSED)', 'an unreachable model endpoint'],
  ])('%j is %j', (reason, cause) => {
    expect(transientCause(reason)).toBe(cause);
  });

  it.each(['exited with code 1', 'API error: HTTP 400: bad request', 'API error: invalid api key', 'the agent said 429 things', null])(
    '%j is the agent’s own failure',
    (reason) => {
      expect(transientCause(reason)).toBeNull();
    },
  );
});

describe('nextAttempt', () => {
  const limited = { reason: 'API error: HTTP 429: slow down' };

  it('retries a transient error on its own, doubling the backoff, as many times as the policy allows', () => {
    expect(plan([run(1, limited)])).toEqual({
      note: { kind: 'transient', note: 'retried after a rate limit (429)', profile: 'quick' },
      profileId: QUICK,
      delayMs: 30_000,
    });
    expect(plan([run(1, limited), run(2, { ...limited, ...retried('transient') })])?.delayMs).toBe(60_000);
    const three = [run(1, limited), run(2, { ...limited, ...retried('transient') }), run(3, { ...limited, ...retried('transient') }), run(4, { ...limited, ...retried('transient') })];
    expect(plan(three)).toBeNull();
  });

  it('does not retry the agent’s own failure by default', () => {
    expect(plan([run(1)])).toBeNull();
  });

  it('retries the agent’s failure per the policy, then escalates once up the ladder, then stops', () => {
    const policies = { [QUICK]: { retries: 1, backoffMs: 5000, escalateTo: DEEP } };
    expect(plan([run(1)], policies)).toMatchObject({ note: { kind: 'retry', note: 'retried after: exited with code 1' }, profileId: QUICK, delayMs: 5000 });
    const twice = [run(1), run(2, retried('retry'))];
    expect(plan(twice, policies)).toMatchObject({ note: { kind: 'escalation', note: 'escalated to deep after: exited with code 1', profile: 'deep' }, profileId: DEEP, delayMs: 0 });
    expect(plan([...twice, run(3, retried('escalation', DEEP))], policies)).toBeNull();
  });

  it('counts from the attempt the person asked for: an earlier ladder does not use this one up', () => {
    const policies = { [QUICK]: { retries: 1 } };
    expect(plan([run(1), run(2, retried('retry')), run(3)], policies)?.note.kind).toBe('retry');
  });

  it('leaves a failing check to the check’s own loop, and ignores what did not fail', () => {
    const policies = { [QUICK]: { retries: 3 } };
    expect(plan([run(1, { check: { passed: false } as RunInfo['check'] })], policies)).toBeNull();
    expect(plan([run(1, { status: 'cancelled' })], policies)).toBeNull();
  });
});
