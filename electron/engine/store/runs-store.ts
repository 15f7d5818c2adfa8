import type { RunInfo, RunStatus } from '../../../shared/domain.js';
import type { Db } from './database.js';

export interface RunRow {
  id: number;
  task_id: number;
  attempt: number;
  status: string;
  command: string | null;
  worktree: string | null;
  branch: string | null;
  pid: number | null;
  exit_code: number | null;
  reason: string | null;
  question: string | null;
  log_bytes: number;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
}

export function toRun(row: RunRow): RunInfo {
  return {
    id: row.id,
    taskId: row.task_id,
    attempt: row.attempt,
    status: row.status as RunStatus,
    command: row.command ? (JSON.parse(row.command) as string[]) : null,
    worktree: row.worktree,
    branch: row.branch,
    pid: row.pid,
    exitCode: row.exit_code,
    reason: row.reason,
    question: row.question,
    logBytes: row.log_bytes,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

export interface RunUpdate {
  status?: RunStatus;
  command?: string[];
  worktree?: string;
  branch?: string;
  pid?: number | null;
  exitCode?: number | null;
  reason?: string | null;
  question?: string | null;
  logBytes?: number;
  startedAt?: number;
  endedAt?: number;
}

const COLUMNS: Record<keyof RunUpdate, string> = {
  status: 'status',
  command: 'command',
  worktree: 'worktree',
  branch: 'branch',
  pid: 'pid',
  exitCode: 'exit_code',
  reason: 'reason',
  question: 'question',
  logBytes: 'log_bytes',
  startedAt: 'started_at',
  endedAt: 'ended_at',
};

export class RunsStore {
  constructor(private readonly db: Db) {}

  byId(id: number): RunInfo | null {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  forTask(taskId: number): RunInfo[] {
    return (this.db.prepare('SELECT * FROM runs WHERE task_id = ? ORDER BY id').all(taskId) as RunRow[]).map(toRun);
  }

  withStatus(statuses: readonly RunStatus[]): RunInfo[] {
    const marks = statuses.map(() => '?').join(', ');
    return (this.db.prepare(`SELECT * FROM runs WHERE status IN (${marks}) ORDER BY id`).all(...statuses) as RunRow[]).map(
      toRun,
    );
  }

  /** Creates a queued run for the task and makes it the task's current run. */
  create(taskId: number): RunInfo {
    return this.db.transaction(() => {
      const attempt =
        ((this.db.prepare('SELECT max(attempt) AS n FROM runs WHERE task_id = ?').get(taskId) as { n: number | null }).n ??
          0) + 1;
      const { lastInsertRowid } = this.db
        .prepare("INSERT INTO runs (task_id, attempt, status, created_at) VALUES (?, ?, 'queued', ?)")
        .run(taskId, attempt, Date.now());
      const runId = Number(lastInsertRowid);
      this.db.prepare('UPDATE tasks SET current_run_id = ? WHERE id = ?').run(runId, taskId);
      return this.byId(runId)!;
    })();
  }

  update(id: number, fields: RunUpdate): void {
    const keys = Object.keys(fields) as (keyof RunUpdate)[];
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ');
    const values: Record<string, unknown> = { id };
    for (const k of keys) values[k] = k === 'command' ? JSON.stringify(fields.command) : fields[k];
    this.db.prepare(`UPDATE runs SET ${sets} WHERE id = @id`).run(values);
  }

  addChunk(runId: number, offset: number, length: number, at: number): void {
    this.db.prepare('INSERT OR REPLACE INTO run_chunks (run_id, offset, length, at) VALUES (?, ?, ?, ?)').run(
      runId,
      offset,
      length,
      at,
    );
  }
}
