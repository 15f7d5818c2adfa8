// What to try after a failed run: the same profile again (a transient model error, or the policy's retries), the next
// profile up its ladder, or nothing (the person is told). Pure: it reads the task's runs and the policies.
import type { RetryNote, RunInfo } from '../../../shared/domain.js';
import { transientCause } from './transient.js';

export interface EffectivePolicy {
  retries: number;
  backoffMs: number;
  transientRetries: number;
  escalateTo: number | null;
}

/** A profile without a policy: transient model errors are retried on their own; the agent's failures are not. */
export const DEFAULT_POLICY: EffectivePolicy = { retries: 0, backoffMs: 30_000, transientRetries: 3, escalateTo: null };
const REASON_MAX_CHARS = 120;

export interface PlanInput {
  failed: RunInfo;
  /** The task's runs, oldest first. */
  runs: RunInfo[];
  taskProfileId: number;
  policyOf: (profileId: number) => EffectivePolicy;
  nameOf: (profileId: number) => string;
}

export interface NextAttempt {
  note: RetryNote;
  profileId: number;
  delayMs: number;
}

export function nextAttempt({ failed, runs, taskProfileId, policyOf, nameOf }: PlanInput): NextAttempt | null {
  // A failing check has its own loop (the repo's check retries); a cancelled or interrupted run is not a failure.
  if (failed.status !== 'failed' || failed.check) return null;
  const ladder = ladderUpTo(failed, runs);
  const profileOf = (run: RunInfo) => run.profileId ?? taskProfileId;
  const profileId = profileOf(failed);
  const policy = policyOf(profileId);
  const cause = transientCause(failed.reason);
  if (cause) {
    const streak = trailing(ladder.slice(1), (r) => r.retry?.kind === 'transient');
    if (streak < policy.transientRetries) {
      return attempt('transient', `retried after ${cause}`, profileId, policy.backoffMs * 2 ** streak);
    }
  }
  const why = short(failed.reason ?? 'it failed');
  const retried = ladder.filter((r) => profileOf(r) === profileId && r.retry?.kind === 'retry').length;
  if (retried < policy.retries) return attempt('retry', `retried after: ${why}`, profileId, policy.backoffMs);
  const next = policy.escalateTo;
  if (next !== null && !ladder.some((r) => profileOf(r) === next)) {
    return attempt('escalation', `escalated to ${nameOf(next)} after: ${why}`, next, 0);
  }
  return null;

  function attempt(kind: RetryNote['kind'], note: string, profile: number, delayMs: number): NextAttempt {
    return { note: { kind, note, profile: nameOf(profile) }, profileId: profile, delayMs };
  }
}

/** The failed run and the attempts the engine made on its own before it, back to the one the person asked for. */
function ladderUpTo(failed: RunInfo, runs: RunInfo[]): RunInfo[] {
  const upTo = runs.filter((r) => r.id <= failed.id);
  const ladder: RunInfo[] = [];
  for (let i = upTo.length - 1; i >= 0; i--) {
    ladder.unshift(upTo[i]!);
    if (!upTo[i]!.retry) break;
  }
  return ladder;
}

function trailing(runs: RunInfo[], test: (run: RunInfo) => boolean): number {
  let n = 0;
  for (let i = runs.length - 1; i >= 0 && test(runs[i]!); i--) n++;
  return n;
}

function short(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > REASON_MAX_CHARS ? `${flat.slice(0, REASON_MAX_CHARS - 1)}…` : flat;
}
