// Approving one task of a best-of group: the others' worktrees and branches are discarded, once the person confirms.
import type { ReviewState } from '../../../shared/domain.js';
import { isFinalStatus } from '../../../shared/domain.js';
import type { DiscardedCandidate, MethodResults } from '../../../shared/protocol/methods.js';
import type { ReviewService } from '../review/review-service.js';
import { bestOfGroupOf } from '../review/compare.js';
import type { Store } from '../store/store.js';
import type { TasksService } from '../tasks-service.js';
import { recordedPlace } from '../worktrees/worktree-names.js';
import type { GroupsService } from './groups-service.js';

/** Candidates left alone: already gone, or a result the person accepted (merged, kept, in a pull request). */
const SETTLED: readonly (ReviewState | null)[] = ['discarded', 'merged', 'kept', 'pr_opened', 'approved'];

export interface PickDeps {
  store: Store;
  review: ReviewService;
  tasks: TasksService;
  groups: GroupsService;
}

/**
 * Discards every other task of the chosen task's group (cancelling any still queued or running), their uncommitted
 * work included: the person chose, and confirmed. With dryRun, only says what that would remove.
 */
export async function discardOthers(id: number, dryRun: boolean, deps: PickDeps): Promise<MethodResults['group.discardOthers']> {
  const group = deps.groups.group(bestOfGroupOf(deps.review.task(id)));
  const discarded: DiscardedCandidate[] = [];
  for (const taskId of group.taskIds) {
    if (taskId === id) continue;
    const task = deps.review.task(taskId);
    if (SETTLED.includes(task.review)) continue;
    const place = recordedPlace(deps.store.runs.forTask(taskId));
    const cancelled = !task.run || !isFinalStatus(task.run.status);
    const entry: DiscardedCandidate = { taskId, worktree: place?.path ?? null, branch: place?.branch ?? null, cancelled, removed: [] };
    if (!dryRun) {
      if (cancelled) await deps.tasks.cancel(taskId);
      entry.removed = (await deps.review.discard(taskId, true)).removed;
    }
    discarded.push(entry);
  }
  return { kept: id, dryRun, discarded };
}
