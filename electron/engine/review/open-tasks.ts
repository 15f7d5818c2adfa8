// Tasks whose result waits for the person (unreviewed, or in conflict with its base): the branches collisions and
// merge checks look at. The stored review state holds only for the run it names (see review-state.ts).
import { prepared } from '../store/database.js';
import type { Store } from '../store/store.js';

export function openTaskIds(store: Store, repoId?: number): number[] {
  const rows = prepared(
    store.db,
    `SELECT t.id FROM tasks t JOIN runs r ON r.id = t.current_run_id
      WHERE r.status = 'succeeded' AND (@repo IS NULL OR t.repo_id = @repo)
        AND (t.review_state IS NULL OR t.review_run_id IS NOT r.id OR t.review_state IN ('unreviewed', 'conflict'))
      ORDER BY t.id`,
  ).all({ repo: repoId ?? null }) as { id: number }[];
  return rows.map((row) => row.id);
}

/** Runs `work` over the items, at most `limit` at once, in order of start. */
export async function eachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
