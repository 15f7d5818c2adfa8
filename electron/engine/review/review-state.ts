// A task's review state: what the last review action stored, read against the task's current run.
import type { ReviewDetail, ReviewState, RunInfo } from '../../../shared/domain.js';
import { NO_CHANGES } from '../agents/verdict-wording.js';

export interface StoredReview {
  state: ReviewState | null;
  /** The run the stored state was about: it holds only while that run is the task's current one. */
  runId: number | null;
  detail: string | null;
}

/**
 * A stored state holds for the run it was stored for. A newer run that succeeded is `unreviewed` again (a follow-up
 * the person asked for, a retry), or `nothing_found` for a scheduled run that changed nothing; while one works on the
 * person's feedback the task stays `changes_requested`.
 */
export function effectiveReview(
  stored: StoredReview,
  run: RunInfo | null,
  scheduled = false,
): { review: ReviewState | null; reviewDetail: ReviewDetail | null } {
  const detail = stored.detail ? (JSON.parse(stored.detail) as ReviewDetail) : null;
  if (stored.state && run && stored.runId === run.id) return { review: stored.state, reviewDetail: detail };
  // A scheduled run that changed nothing is filed, not put before the person.
  if (run?.status === 'succeeded' && scheduled && run.reason?.includes(NO_CHANGES)) return { review: 'nothing_found', reviewDetail: null };
  if (run?.status === 'succeeded') return { review: 'unreviewed', reviewDetail: null };
  if (stored.state === 'changes_requested') return { review: 'changes_requested', reviewDetail: detail };
  return { review: null, reviewDetail: null };
}
