// The stored attention items (the inbox and its history) and the tasks whose attention is snoozed.
import type { InboxCount, InboxItem, InboxKind } from '../../../shared/domain.js';
import type { Db } from '../store/database.js';
import { prepared } from '../store/database.js';

interface ItemRow {
  id: number;
  task_id: number;
  run_id: number | null;
  kind: string;
  message: string;
  created_at: number;
  seen_at: number | null;
  resolved_at: number | null;
  resolution: string | null;
  snoozed_until: number | null;
  snooze_ended: number;
  prompt: string;
  repo_name: string;
}

/** An item as stored: what a read adds (how much it blocks, whether it interrupts) comes later. */
export type StoredItem = Omit<InboxItem, 'blocked' | 'interrupts'>;

export interface NewItem {
  taskId: number;
  runId: number | null;
  kind: InboxKind;
  message: string;
  at: number;
  /** Held back from the start: its task is snoozed until then. */
  heldUntil: number | null;
}

/** What an item is ranked by. */
export interface ItemKey {
  id: number;
  taskId: number;
  createdAt: number;
  kind: InboxKind;
}

export interface ItemFilter {
  kinds?: readonly string[];
  /** A repo's path or name. */
  repo?: string;
  unseen?: boolean;
}

const SELECT = `SELECT a.*, t.prompt AS prompt, rp.name AS repo_name
  FROM attention_items a JOIN tasks t ON t.id = a.task_id JOIN repos rp ON rp.id = t.repo_id`;
const OPEN = 'a.resolved_at IS NULL';
const VISIBLE = `${OPEN} AND a.snoozed_until IS NULL`;
const ids = (list: readonly number[]) => JSON.stringify(list);

function toItem(row: ItemRow): StoredItem {
  return {
    id: row.id,
    taskId: row.task_id,
    runId: row.run_id,
    kind: row.kind as InboxKind,
    message: row.message,
    createdAt: row.created_at,
    seenAt: row.seen_at,
    resolvedAt: row.resolved_at,
    resolution: row.resolution,
    snoozedUntil: row.snoozed_until,
    snoozeEnded: row.snooze_ended === 1,
    prompt: row.prompt,
    repoName: row.repo_name,
  };
}

function filterSql(filter: ItemFilter): { where: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  if (filter.kinds && filter.kinds.length > 0) {
    parts.push('a.kind IN (SELECT value FROM json_each(?))');
    args.push(JSON.stringify(filter.kinds));
  }
  if (filter.unseen) parts.push('a.seen_at IS NULL');
  if (filter.repo) {
    parts.push('(rp.path = ? OR rp.name = ?)');
    args.push(filter.repo, filter.repo);
  }
  return { where: parts.map((p) => ` AND ${p}`).join(''), args };
}

export class ItemsStore {
  constructor(private readonly db: Db) {}

  insert(item: NewItem): number {
    const { lastInsertRowid } = prepared(
      this.db,
      `INSERT INTO attention_items (task_id, run_id, kind, message, created_at, snoozed_until, snoozed_with_task)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(item.taskId, item.runId, item.kind, item.message, item.at, item.heldUntil, item.heldUntil === null ? 0 : 1);
    return Number(lastInsertRowid);
  }

  byId(id: number): StoredItem | null {
    const row = prepared(this.db, `${SELECT} WHERE a.id = ?`).get(id) as ItemRow | undefined;
    return row ? toItem(row) : null;
  }

  byIds(list: readonly number[]): StoredItem[] {
    if (list.length === 0) return [];
    return (prepared(this.db, `${SELECT} WHERE a.id IN (SELECT value FROM json_each(?)) ORDER BY a.id`).all(ids(list)) as ItemRow[]).map(toItem);
  }

  /** The task's items still to deal with (snoozed ones too). */
  openOfTask(taskId: number): StoredItem[] {
    return (prepared(this.db, `${SELECT} WHERE a.task_id = ? AND ${OPEN} ORDER BY a.id`).all(taskId) as ItemRow[]).map(toItem);
  }

  setMessage(id: number, message: string, runId: number | null): void {
    prepared(this.db, 'UPDATE attention_items SET message = ?, run_id = ? WHERE id = ?').run(message, runId, id);
  }

  /** Marks open items dealt with; returns those that were open. */
  resolve(list: readonly number[], resolution: string, at: number): number[] {
    return prepared(
      this.db,
      `UPDATE attention_items SET resolved_at = ?, resolution = ?, snoozed_until = NULL, snoozed_with_task = 0
       WHERE id IN (SELECT value FROM json_each(?)) AND resolved_at IS NULL RETURNING id`,
    )
      .pluck()
      .all(at, resolution, ids(list)) as number[];
  }

  /** Marks items in the inbox seen; returns those that were unseen. */
  markSeen(list: readonly number[], at: number): number[] {
    return prepared(
      this.db,
      `UPDATE attention_items SET seen_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND seen_at IS NULL
       AND resolved_at IS NULL AND snoozed_until IS NULL RETURNING id`,
    )
      .pluck()
      .all(at, ids(list)) as number[];
  }

  /** The ids of every unseen item in the inbox. */
  unseenIds(): number[] {
    return prepared(this.db, `SELECT a.id FROM attention_items a WHERE ${VISIBLE} AND a.seen_at IS NULL`).pluck().all() as number[];
  }

  snooze(list: readonly number[], until: number, withTask: boolean): number[] {
    return prepared(
      this.db,
      `UPDATE attention_items SET snoozed_until = ?, snoozed_with_task = ?
       WHERE id IN (SELECT value FROM json_each(?)) AND resolved_at IS NULL RETURNING id`,
    )
      .pluck()
      .all(until, withTask ? 1 : 0, ids(list)) as number[];
  }

  /** Brings snoozed items back into the inbox, unseen and marked "snooze ended"; returns those that were snoozed. */
  wake(list: readonly number[]): number[] {
    return prepared(
      this.db,
      `UPDATE attention_items SET snoozed_until = NULL, snoozed_with_task = 0, snooze_ended = 1, seen_at = NULL
       WHERE id IN (SELECT value FROM json_each(?)) AND resolved_at IS NULL AND snoozed_until IS NOT NULL RETURNING id`,
    )
      .pluck()
      .all(ids(list)) as number[];
  }

  /** The task's items snoozed along with it (rather than on their own). */
  snoozedWithTask(taskId: number): number[] {
    return prepared(this.db, `SELECT a.id FROM attention_items a WHERE a.task_id = ? AND ${OPEN} AND a.snoozed_with_task = 1`)
      .pluck()
      .all(taskId) as number[];
  }

  /** What ranking needs of every item in the inbox that passes the filter, oldest first, at most `cap` of them. */
  visibleKeys(filter: ItemFilter, cap: number): ItemKey[] {
    const { where, args } = filterSql(filter);
    const join = filter.repo ? ' JOIN tasks t ON t.id = a.task_id JOIN repos rp ON rp.id = t.repo_id' : '';
    const rows = prepared(this.db, `SELECT a.id, a.task_id, a.created_at, a.kind FROM attention_items a${join} WHERE ${VISIBLE}${where} ORDER BY a.created_at, a.id LIMIT ?`)
      .raw()
      .all(...args, cap) as [number, number, number, string][];
    return rows.map(([id, taskId, createdAt, kind]) => ({ id, taskId, createdAt, kind: kind as InboxKind }));
  }

  /** Snoozed items, soonest back first. */
  snoozed(filter: ItemFilter, limit: number): { items: StoredItem[]; total: number } {
    const { where, args } = filterSql(filter);
    const cond = `${OPEN} AND a.snoozed_until IS NOT NULL${where}`;
    const rows = prepared(this.db, `${SELECT} WHERE ${cond} ORDER BY a.snoozed_until, a.id LIMIT ?`).all(...args, limit) as ItemRow[];
    return { items: rows.map(toItem), total: this.countWhere(cond, args) };
  }

  /** Every item ever raised, newest first. */
  history(filter: ItemFilter, limit: number): { items: StoredItem[]; total: number } {
    const { where, args } = filterSql(filter);
    const cond = `1${where}`;
    const rows = prepared(this.db, `${SELECT} WHERE ${cond} ORDER BY a.id DESC LIMIT ?`).all(...args, limit) as ItemRow[];
    return { items: rows.map(toItem), total: this.countWhere(cond, args) };
  }

  count(): InboxCount {
    const row = prepared(
      this.db,
      `SELECT count(*) FILTER (WHERE snoozed_until IS NULL) AS open,
              count(*) FILTER (WHERE snoozed_until IS NULL AND seen_at IS NULL) AS unseen,
              count(*) FILTER (WHERE snoozed_until IS NOT NULL) AS snoozed
       FROM attention_items WHERE resolved_at IS NULL`,
    ).get() as InboxCount;
    return { open: row.open, unseen: row.unseen, snoozed: row.snoozed };
  }

  private countWhere(cond: string, args: unknown[]): number {
    return (prepared(this.db, `SELECT count(*) AS n FROM attention_items a JOIN tasks t ON t.id = a.task_id JOIN repos rp ON rp.id = t.repo_id WHERE ${cond}`).get(...args) as { n: number }).n;
  }

  setTaskSnooze(taskId: number, until: number): void {
    prepared(this.db, 'INSERT INTO task_snoozes (task_id, until) VALUES (?, ?) ON CONFLICT(task_id) DO UPDATE SET until = excluded.until').run(taskId, until);
  }

  clearTaskSnooze(taskId: number): boolean {
    return prepared(this.db, 'DELETE FROM task_snoozes WHERE task_id = ?').run(taskId).changes > 0;
  }

  taskSnoozes(): { taskId: number; until: number }[] {
    return prepared(this.db, 'SELECT task_id AS taskId, until FROM task_snoozes ORDER BY until').all() as { taskId: number; until: number }[];
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
