// Best-of-N in review: each task of the group side by side (its check, diff stats, summary, cost and time).
import type { RunInfo, TaskInfo } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { Candidate, Comparison } from '../../../shared/protocol/methods.js';
import type { GroupsService } from '../groups/groups-service.js';
import type { Store } from '../store/store.js';
import type { ReviewService } from './review-service.js';

/** A summary is cut to this many characters in the comparison; `errand review <id>` shows it whole. */
const COMPARE_SUMMARY_CHARS = 2000;

/** The group of a best-of task, or a refusal saying that it is not one. */
export function bestOfGroupOf(task: TaskInfo): number {
  if (task.group?.kind !== 'best_of') {
    throw new ErrandError('conflict', `Task ${task.id} was not filed with --best-of, so there is nothing to compare it with.`);
  }
  return task.group.id;
}

function costOf(runs: RunInfo[]): number | null {
  const costs = runs.flatMap((r) => (r.progress.costUsd === undefined ? [] : [r.progress.costUsd]));
  return costs.length ? costs.reduce((a, b) => a + b, 0) : null;
}

function durationOf(runs: RunInfo[], now: number): number | null {
  const started = runs.filter((r) => r.startedAt !== null);
  return started.length ? started.reduce((sum, r) => sum + ((r.endedAt ?? now) - r.startedAt!), 0) : null;
}

export async function compareBestOf(id: number, deps: { store: Store; review: ReviewService; groups: GroupsService }): Promise<Comparison> {
  const groupId = bestOfGroupOf(deps.review.task(id));
  const group = deps.groups.group(groupId);
  const now = Date.now();
  const candidates = await Promise.all(
    group.taskIds.map(async (taskId): Promise<Candidate> => {
      const runs = deps.store.runs.forTask(taskId);
      const base = { costUsd: costOf(runs), durationMs: durationOf(runs, now) };
      try {
        const r = await deps.review.review(taskId);
        const summary = r.summary && r.summary.length > COMPARE_SUMMARY_CHARS ? `${r.summary.slice(0, COMPARE_SUMMARY_CHARS)}…` : r.summary;
        const files = r.files.length;
        return { task: r.task, summary, check: r.check, files, additions: r.additions, deletions: r.deletions, noChanges: r.noChanges, ...base, problem: null };
      } catch (error) {
        if (!(error instanceof ErrandError)) throw error;
        const task = deps.review.task(taskId);
        const problem = task.run && !task.run.worktree ? `task ${taskId} is ${task.status}` : error.message;
        return { task, summary: null, check: null, files: 0, additions: 0, deletions: 0, noChanges: false, ...base, problem };
      }
    }),
  );
  return { group, candidates };
}
