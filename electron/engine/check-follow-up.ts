// A failing check goes back to the agent, up to the repo's check-retries: a follow-up run in the same worktree and agent
// session, carrying the check's output. The count is per task, over all its runs, so it is kept across retries.
import type { RepoInfo, RunInfo } from '../../shared/domain.js';
import type { AgentAdapter } from './agents/adapter.js';
import type { CheckPlan, SendBack } from './runner/check-phase.js';
import { DEFAULT_CHECK_TIMEOUT_MS, sendBackMessage } from './runner/check-phase.js';
import { prepared } from './store/database.js';
import type { Store } from './store/store.js';

export function checkPlanFor(repo: RepoInfo): CheckPlan | null {
  if (!repo.checkCommand) return null;
  return { command: repo.checkCommand, timeoutMs: repo.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS };
}

/** Whether run `runId`'s failed check goes back to its agent: retries are left, and there is a way to continue it. */
export function sendBackFor(store: Store, repoId: number, taskId: number, runId: number, adapter: AgentAdapter): SendBack | null {
  const of = store.repos.byId(repoId)?.checkRetries ?? 0;
  const runs = store.runs.forTask(taskId);
  const used = runs.filter((r) => r.id !== runId && r.check?.sentBack).length;
  if (used >= of) return null;
  const continues = adapter.id === 'command' || adapter.continuesWithoutSession || runs.some((r) => r.sessionId);
  return continues ? { n: used + 1, of } : null;
}

/**
 * The follow-up for a run whose check was sent back: the agent's session continued with the failure, or for a command
 * profile (which has no session) the command run again in the same worktree.
 */
export function createFollowUp(store: Store, failed: RunInfo, adapter: AgentAdapter): RunInfo {
  if (adapter.id === 'command') return store.runs.create(failed.taskId);
  const sessionId = store.runs.forTask(failed.taskId).reverse().find((r) => r.sessionId)?.sessionId ?? null;
  return store.runs.create(failed.taskId, 'reply', sendBackMessage(failed.check!), sessionId);
}

/** Tasks whose last run's failed check was sent back, but whose follow-up was never made (the engine died in between). */
export function unsentSendBacks(store: Store): RunInfo[] {
  const rows = prepared(
    store.db,
    `SELECT runs.id FROM tasks JOIN runs ON runs.id = tasks.current_run_id
      WHERE runs.status = 'failed' AND json_extract(runs.check_result, '$.sentBack') = 1`,
  ).all() as { id: number }[];
  return rows.map((row) => store.runs.byId(row.id)!);
}
