// What each task waits for: other tasks (of any repo) to succeed or to be merged. A row is met once, for good.
import type { DependencyNeed } from '../../../shared/domain.js';
import type { DependencyInfo } from '../../../shared/protocol/methods.js';
import type { Db } from '../store/database.js';
import { prepared } from '../store/database.js';

interface DependencyRow {
  prereq_id: number;
  needs: DependencyNeed;
  satisfied_at: number | null;
  blocked_reason: string | null;
}

export interface Dependency extends DependencyInfo {
  blockedReason: string | null;
}

const toDependency = (row: DependencyRow): Dependency => ({
  prereqId: row.prereq_id,
  needs: row.needs,
  satisfiedAt: row.satisfied_at,
  blockedReason: row.blocked_reason,
});

export class DependenciesStore {
  constructor(private readonly db: Db) {}

  /** Adds a prerequisite; the same one given twice keeps the stronger need (merged holds more than succeeded). */
  add(taskId: number, prereqId: number, needs: DependencyNeed): void {
    prepared(
      this.db,
      `INSERT INTO task_dependencies (task_id, prereq_id, needs) VALUES (?, ?, ?)
       ON CONFLICT (task_id, prereq_id) DO UPDATE SET needs = 'merge', satisfied_at = NULL
       WHERE excluded.needs = 'merge' AND needs = 'success'`,
    ).run(taskId, prereqId, needs);
  }

  of(taskId: number): Dependency[] {
    return (prepared(this.db, 'SELECT prereq_id, needs, satisfied_at, blocked_reason FROM task_dependencies WHERE task_id = ? ORDER BY prereq_id').all(taskId) as DependencyRow[]).map(
      toDependency,
    );
  }

  /** The tasks that wait on this one, met or not. */
  dependentsOf(prereqId: number): number[] {
    return prepared(this.db, 'SELECT task_id FROM task_dependencies WHERE prereq_id = ? ORDER BY task_id').pluck().all(prereqId) as number[];
  }

  /** Whether any task still waits on this one: the cheap test run on every status change. */
  hasWaitingDependents(prereqId: number): boolean {
    return prepared(this.db, 'SELECT 1 FROM task_dependencies WHERE prereq_id = ? AND satisfied_at IS NULL LIMIT 1').get(prereqId) !== undefined;
  }

  /** How many queued tasks wait on this one and are not met yet. */
  waitingOn(prereqId: number): number {
    return (
      prepared(
        this.db,
        `SELECT count(*) FROM task_dependencies d JOIN tasks t ON t.id = d.task_id JOIN runs r ON r.id = t.current_run_id
         WHERE d.prereq_id = ? AND d.satisfied_at IS NULL AND r.status = 'queued'`,
      )
        .pluck()
        .get(prereqId) as number
    );
  }

  prereqsOf(taskId: number): number[] {
    return prepared(this.db, 'SELECT prereq_id FROM task_dependencies WHERE task_id = ?').pluck().all(taskId) as number[];
  }

  markSatisfied(taskId: number, prereqId: number, at: number): void {
    prepared(this.db, 'UPDATE task_dependencies SET satisfied_at = ?, blocked_reason = NULL WHERE task_id = ? AND prereq_id = ?').run(at, taskId, prereqId);
  }

  setBlocked(taskId: number, prereqId: number, reason: string | null): void {
    prepared(this.db, 'UPDATE task_dependencies SET blocked_reason = ? WHERE task_id = ? AND prereq_id = ?').run(reason, taskId, prereqId);
  }
}
