// Batches and best-of groups: a group row, and its tasks (tasks.group_id) with their current runs' statuses.
import type { GroupKind, RunStatus } from '../../../shared/domain.js';
import { FINAL_RUN_STATUSES, LIVE_RUN_STATUSES } from '../../../shared/domain.js';
import type { GroupInfo } from '../../../shared/protocol/methods.js';
import type { Db } from '../store/database.js';
import { prepared } from '../store/database.js';

interface GroupRow {
  id: number;
  kind: GroupKind;
  created_at: number;
}

const ENDED_OTHERWISE = FINAL_RUN_STATUSES.filter((s) => s !== 'succeeded');

export class GroupsStore {
  constructor(private readonly db: Db) {}

  insert(kind: GroupKind): number {
    return Number(prepared(this.db, 'INSERT INTO task_groups (kind, created_at) VALUES (?, ?)').run(kind, Date.now()).lastInsertRowid);
  }

  byId(id: number): GroupInfo | null {
    const row = prepared(this.db, 'SELECT id, kind, created_at FROM task_groups WHERE id = ?').get(id) as GroupRow | undefined;
    return row ? this.info(row) : null;
  }

  /** Newest first. */
  list(limit: number): GroupInfo[] {
    const rows = prepared(this.db, 'SELECT id, kind, created_at FROM task_groups ORDER BY id DESC LIMIT ?').all(limit) as GroupRow[];
    return rows.map((row) => this.info(row));
  }

  private info(row: GroupRow): GroupInfo {
    const members = prepared(
      this.db,
      'SELECT t.id AS id, r.status AS status FROM tasks t LEFT JOIN runs r ON r.id = t.current_run_id WHERE t.group_id = ? ORDER BY t.id',
    ).all(row.id) as { id: number; status: RunStatus | null }[];
    const count = (statuses: readonly RunStatus[]) => members.filter((m) => m.status !== null && statuses.includes(m.status)).length;
    return {
      id: row.id,
      kind: row.kind,
      createdAt: row.created_at,
      total: members.length,
      succeeded: count(['succeeded']),
      failed: count(ENDED_OTHERWISE),
      running: count(LIVE_RUN_STATUSES),
      queued: count(['queued']),
      taskIds: members.map((m) => m.id),
    };
  }
}
