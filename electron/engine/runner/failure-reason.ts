// How a failed run's reason is worded for the person.
import type { Verdict } from '../agents/adapter.js';
import type { ModelProxy } from '../backends/model-proxy.js';

/** Why a run could not go on, for the person: a full disk says so, and what to do about it. */
export function failureReason(error: unknown, doing?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException)?.code;
  const what = doing ? `${doing}: ${message}` : message;
  if (code === 'ENOSPC') return `the disk is full (${what}). Free disk space, then retry the task.`;
  return doing ? `${doing} (${code ?? 'error'}: ${message}). Free disk space, then retry the task.` : message;
}

/** An agent that failed right after its model answered with a rate limit or a 5xx failed because of it: say so. */
export function withModelFailure(verdict: Verdict, proxy: ModelProxy | null): Verdict {
  const failure = proxy?.lastFailure;
  if (verdict.status !== 'failed' || !failure || verdict.reason?.startsWith('API error:')) return verdict;
  return { ...verdict, reason: `API error: HTTP ${failure.status}: ${failure.message} (then the agent ${verdict.reason ?? 'failed'})` };
}
