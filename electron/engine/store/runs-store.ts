import type { CheckResult, PermissionRequest, ReplyGrant, RetryNote, RunInfo, RunKind, RunProgress, RunStatus } from '../../../shared/domain.js';
import type { Db } from './database.js';
import { prepared } from './database.js';
import { isTransientWriteError, PendingRunWrites } from './pending-writes.js';

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
  request: string | null;
  session_id: string | null;
  kind: string;
  message: string | null;
  result_text: string | null;
  reply_grant: string | null;
  check_result: string | null;
  step: number | null;
  profile_id: number | null;
  retry: string | null;
  progress: string;
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
    request: row.request ? (JSON.parse(row.request) as PermissionRequest) : null,
    sessionId: row.session_id,
    kind: row.kind as RunKind,
    message: row.message,
    resultText: row.result_text,
    replyGrant: row.reply_grant ? (JSON.parse(row.reply_grant) as ReplyGrant) : null,
    check: row.check_result ? (JSON.parse(row.check_result) as CheckResult) : null,
    step: row.step ?? null,
    profileId: row.profile_id ?? null,
    retry: row.retry ? (JSON.parse(row.retry) as RetryNote) : null,
    progress: JSON.parse(row.progress) as RunProgress,
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
  request?: PermissionRequest | null;
  sessionId?: string | null;
  resultText?: string | null;
  replyGrant?: ReplyGrant | null;
  check?: CheckResult | null;
  progress?: RunProgress;
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
  request: 'request',
  sessionId: 'session_id',
  resultText: 'result_text',
  replyGrant: 'reply_grant',
  check: 'check_result',
  progress: 'progress',
  logBytes: 'log_bytes',
  startedAt: 'started_at',
  endedAt: 'ended_at',
};

const JSON_COLUMNS: ReadonlySet<keyof RunUpdate> = new Set(['command', 'request', 'replyGrant', 'check', 'progress']);

/** A run's own chain step and profile (null: the task's). */
export interface RunStep {
  step: number | null;
  profileId: number | null;
}

export interface NewRunOptions {
  /** Its chain step and profile, when not those of the run it follows. */
  own?: RunStep;
  retry?: { note: RetryNote; profileId: number | null };
}

export class RunsStore {
  /** Changes the disk would not take yet; reads see them. */
  readonly pending: PendingRunWrites;

  constructor(private readonly db: Db) {
    this.pending = new PendingRunWrites((id, fields) => this.write(id, fields));
  }

  byId(id: number): RunInfo | null {
    const row = prepared(this.db, 'SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row ? this.pending.overlay(toRun(row)) : null;
  }

  forTask(taskId: number): RunInfo[] {
    return (prepared(this.db, 'SELECT * FROM runs WHERE task_id = ? ORDER BY id').all(taskId) as RunRow[]).map((row) =>
      this.pending.overlay(toRun(row)),
    );
  }

  withStatus(statuses: readonly RunStatus[]): RunInfo[] {
    const marks = statuses.map(() => '?').join(', ');
    const held = this.pending.statusFilter(statuses);
    const rows = held
      ? prepared(
          this.db,
          `SELECT * FROM runs WHERE (status IN (${marks}) AND id NOT IN (SELECT value FROM json_each(?)))
             OR id IN (SELECT value FROM json_each(?)) ORDER BY id`,
        ).all(...statuses, held.held, held.matching)
      : prepared(this.db, `SELECT * FROM runs WHERE status IN (${marks}) ORDER BY id`).all(...statuses);
    return (rows as RunRow[]).map((row) => this.pending.overlay(toRun(row)));
  }

  /**
   * Creates a queued run for the task and makes it the task's current run. Unless `own` says otherwise, it works on the
   * same chain step, with the same profile, as the run it follows (a reply, a check sent back). `retry` when the engine
   * makes it on its own (a retry policy), with the profile it runs with (null: the step's, or the task's).
   */
  create(taskId: number, kind: RunKind = 'start', message: string | null = null, sessionId: string | null = null, options: NewRunOptions = {}): RunInfo {
    return this.db.transaction(() => {
      const inherited =
        options.own ??
        ((prepared(this.db, 'SELECT r.step, r.profile_id AS profileId FROM tasks t JOIN runs r ON r.id = t.current_run_id WHERE t.id = ?')
          .get(taskId) as RunStep | undefined) ?? { step: null, profileId: null });
      const { step } = inherited;
      const { retry } = options;
      const profileId = retry ? (retry.profileId ?? (step !== null ? inherited.profileId : null)) : inherited.profileId;
      const attempt =
        ((prepared(this.db, 'SELECT max(attempt) AS n FROM runs WHERE task_id = ?').get(taskId) as { n: number | null }).n ??
          0) + 1;
      const { lastInsertRowid } = prepared(this.db, 
          "INSERT INTO runs (task_id, attempt, status, kind, message, session_id, step, profile_id, retry, created_at) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)",
        )
        .run(taskId, attempt, kind, message, sessionId, step, profileId, retry ? JSON.stringify(retry.note) : null, Date.now());
      const runId = Number(lastInsertRowid);
      prepared(this.db, 'UPDATE tasks SET current_run_id = ? WHERE id = ?').run(runId, taskId);
      return this.byId(runId)!;
    })();
  }

  /**
   * Stores the run's change. When the disk cannot take it now (full, busy), it is held, merged with what is held for the
   * run already, retried until it is written, and read back meanwhile; false then.
   */
  update(id: number, fields: RunUpdate): boolean {
    const all = this.pending.with(id, fields);
    try {
      this.write(id, all);
    } catch (error) {
      if (!isTransientWriteError(error)) throw error;
      this.pending.hold(id, all, error as Error);
      return false;
    }
    this.pending.release(id);
    return true;
  }

  /**
   * Indexes a stretch of the run's log, and records the log's size with it in one transaction: `log_bytes` of a live run
   * is always where the index ends, so recovery indexes the rest from there. False when the disk would not take it.
   */
  indexChunk(runId: number, offset: number, length: number, at: number): boolean {
    const all = this.pending.with(runId, { logBytes: offset + length });
    try {
      this.db.transaction(() => {
        prepared(this.db, 'INSERT OR REPLACE INTO run_chunks (run_id, offset, length, at) VALUES (?, ?, ?, ?)').run(
          runId,
          offset,
          length,
          at,
        );
        this.write(runId, all);
      })();
    } catch (error) {
      if (!isTransientWriteError(error)) throw error;
      return false;
    }
    this.pending.release(runId);
    return true;
  }

  private write(id: number, fields: RunUpdate): void {
    const keys = (Object.keys(fields) as (keyof RunUpdate)[]).filter((k) => fields[k] !== undefined);
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ');
    const values: Record<string, unknown> = { id };
    for (const k of keys) values[k] = JSON_COLUMNS.has(k) && fields[k] !== null ? JSON.stringify(fields[k]) : fields[k];
    prepared(this.db, `UPDATE runs SET ${sets} WHERE id = @id`).run(values);
  }
}
