import { LIVE_RUN_STATUSES } from '../../../shared/domain.js';
import type { ChainState, GroupKind, ReviewDetail, ReviewState, RunStatus, TaskInfo } from '../../../shared/domain.js';
import { effectiveReview } from '../review/review-state.js';
import type { Db } from './database.js';
import { prepared } from './database.js';
import type { PendingRunWrites } from './pending-writes.js';
import { toRun } from './runs-store.js';
import type { RunRow } from './runs-store.js';

interface TaskJoinRow {
  t_id: number;
  t_prompt: string;
  t_repo_id: number;
  t_priority: number;
  t_created_at: number;
  repo_path: string;
  profile_name: string;
  t_review_state: string | null;
  t_review_run_id: number | null;
  t_review_detail: string | null;
  t_group_id: number | null;
  group_kind: string | null;
  c_template: string | null;
  c_position: number | null;
  c_total: number | null;
  c_state: string | null;
  c_step: string | null;
  t_schedule_id: number | null;
}

type JoinedRow = TaskJoinRow & Partial<RunRow>;

const SELECT_TASKS_COLUMNS = `
  SELECT t.id AS t_id, t.prompt AS t_prompt, t.repo_id AS t_repo_id, t.priority AS t_priority,
         t.created_at AS t_created_at, t.review_state AS t_review_state,
         t.review_run_id AS t_review_run_id, t.review_detail AS t_review_detail, t.schedule_id AS t_schedule_id, rp.path AS repo_path, p.name AS profile_name,
         t.group_id AS t_group_id, g.kind AS group_kind,
         tc.template AS c_template, tc.position AS c_position, tc.total AS c_total, tc.state AS c_state, cs.name AS c_step, r.*`;
const JOIN_NAMES = `JOIN repos rp ON rp.id = t.repo_id JOIN profiles p ON p.id = t.profile_id LEFT JOIN task_groups g ON g.id = t.group_id
  LEFT JOIN task_chains tc ON tc.task_id = t.id LEFT JOIN chain_steps cs ON cs.task_id = t.id AND cs.idx = tc.position`;
const SELECT_TASKS = `${SELECT_TASKS_COLUMNS} FROM tasks t ${JOIN_NAMES} LEFT JOIN runs r ON r.id = t.current_run_id`;

function toTask(row: JoinedRow, pending: PendingRunWrites): TaskInfo {
  const run = row.id !== undefined && row.id !== null ? pending.overlay(toRun(row as RunRow)) : null;
  return {
    id: row.t_id,
    prompt: row.t_prompt,
    repoId: row.t_repo_id,
    repoPath: row.repo_path,
    profile: row.profile_name,
    priority: row.t_priority,
    createdAt: row.t_created_at,
    status: run?.status ?? 'queued',
    run,
    waitReason: null,
    waitDetail: null,
    group: row.t_group_id === null ? null : { id: row.t_group_id, kind: row.group_kind as GroupKind },
    ...effectiveReview(
      { state: row.t_review_state as ReviewState | null, runId: row.t_review_run_id, detail: row.t_review_detail },
      run,
      row.t_schedule_id !== null,
    ),
    scheduleId: row.t_schedule_id,
    chain: row.c_template
      ? { template: row.c_template, step: row.c_position! + 1, of: row.c_total!, name: row.c_step ?? '', state: row.c_state as ChainState }
      : null,
  };
}

export interface NewTask {
  prompt: string;
  repoId: number;
  profileId: number;
  priority: number;
  groupId?: number;
  /** The zone the person gave a start time in (errand add --at). */
  timeZone?: string | null;
  scheduleId?: number | null;
}

export class TasksStore {
  /** `pending`: run changes not written yet, which every read shows. */
  constructor(
    private readonly db: Db,
    private readonly pending: PendingRunWrites,
  ) {}

  /** Inserts the task, indexes its prompt for search, and returns its id. */
  insert(task: NewTask): number {
    return this.db.transaction(() => {
      const { lastInsertRowid } = prepared(
        this.db,
        'INSERT INTO tasks (prompt, repo_id, profile_id, priority, group_id, created_at, time_zone, schedule_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(task.prompt, task.repoId, task.profileId, task.priority, task.groupId ?? null, Date.now(), task.timeZone ?? null, task.scheduleId ?? null);
      const id = Number(lastInsertRowid);
      prepared(this.db, "INSERT INTO search_text (body, kind, task_id) VALUES (?, 'prompt', ?)").run(task.prompt, id);
      return id;
    })();
  }

  /** Records a review action's outcome; it holds while `runId` is the task's current run (see review-state.ts). */
  setReview(taskId: number, state: ReviewState, runId: number | null, detail: ReviewDetail | null): void {
    // "nothing found" is read from the run (see review-state.ts), never stored: a database made before it was a state
    // has a review_state CHECK that refuses it.
    const stored = state === 'nothing_found' ? null : state;
    prepared(this.db, 'UPDATE tasks SET review_state = ?, review_run_id = ?, review_detail = ? WHERE id = ?')
      .run(stored, stored ? runId : null, detail ? JSON.stringify(detail) : null, taskId);
  }

  indexQuestion(taskId: number, question: string): void {
    prepared(this.db, "INSERT INTO search_text (body, kind, task_id) VALUES (?, 'question', ?)").run(question, taskId);
  }

  byId(id: number): TaskInfo | null {
    const row = prepared(this.db, `${SELECT_TASKS} WHERE t.id = ?`).get(id) as JoinedRow | undefined;
    return row ? toTask(row, this.pending) : null;
  }

  timeZone(taskId: number): string | null {
    return (prepared(this.db, 'SELECT time_zone FROM tasks WHERE id = ?').pluck().get(taskId) as string | null | undefined) ?? null;
  }

  /** The profile the task's current run uses: its own (a chain step's), else the task's. */
  profileId(taskId: number): number | null {
    const row = prepared(
      this.db,
      'SELECT coalesce(r.profile_id, t.profile_id) AS profile_id FROM tasks t LEFT JOIN runs r ON r.id = t.current_run_id WHERE t.id = ?',
    ).get(taskId) as
      | { profile_id: number }
      | undefined;
    return row?.profile_id ?? null;
  }

  /** Newest first. With statuses, only tasks whose current run has one of them (served by the runs status index). */
  list(statuses: readonly RunStatus[] | undefined, limit: number): { tasks: TaskInfo[]; total: number } {
    if (!statuses || statuses.length === 0) {
      const rows = prepared(this.db, `${SELECT_TASKS} ORDER BY t.id DESC LIMIT ?`).all(limit) as JoinedRow[];
      const total = (prepared(this.db, 'SELECT count(*) AS n FROM tasks').get() as { n: number }).n;
      return { tasks: rows.map((row) => toTask(row, this.pending)), total };
    }
    const marks = statuses.map(() => '?').join(', ');
    // Few runs are live at once: start from the status index. Finished ones are most runs: walk tasks newest first.
    const fromRuns = statuses.every((s) => s === 'queued' || LIVE_RUN_STATUSES.includes(s));
    const join = fromRuns
      ? `FROM runs r CROSS JOIN tasks t ON t.id = r.task_id AND t.current_run_id = r.id`
      : `FROM tasks t JOIN runs r ON r.id = t.current_run_id`;
    // A run whose status is held in memory counts by that status, not by its row's.
    const held = this.pending.statusFilter(statuses);
    const where = held
      ? `WHERE ((r.status IN (${marks}) AND r.id NOT IN (SELECT value FROM json_each(?))) OR r.id IN (SELECT value FROM json_each(?)))`
      : `WHERE r.status IN (${marks})`;
    const args = held ? [...statuses, held.held, held.matching] : statuses;
    const rows = prepared(this.db, `${SELECT_TASKS_COLUMNS} ${join} ${JOIN_NAMES} ${where} ORDER BY t.id DESC LIMIT ?`)
      .all(...args, limit) as JoinedRow[];
    const total = (prepared(this.db, `SELECT count(*) AS n ${join} ${where}`).get(...args) as { n: number }).n;
    return { tasks: rows.map((row) => toTask(row, this.pending)), total };
  }

  /** Queued current runs in start order: priority first, then first in, first out. */
  queued(): TaskInfo[] {
    return (
      prepared(this.db, 
          `${SELECT_TASKS_COLUMNS} FROM runs r CROSS JOIN tasks t ON t.id = r.task_id AND t.current_run_id = r.id ${JOIN_NAMES}
           WHERE r.status = 'queued' ORDER BY t.priority DESC, r.id ASC`,
        )
        .all() as JoinedRow[]
    )
      .map((row) => toTask(row, this.pending))
      .filter((task) => task.status === 'queued');
  }

  search(query: string, limit: number): TaskInfo[] {
    // A task can match by its prompt and by questions: read a few more rows than tasks wanted, newest first.
    const ids = new Set<number>();
    const hits = prepared(this.db, 'SELECT task_id FROM search_text WHERE search_text MATCH ? ORDER BY rowid DESC LIMIT ?')
      .pluck()
      .iterate(toFtsQuery(query), limit * 4) as IterableIterator<number>;
    for (const id of hits) {
      ids.add(id);
      if (ids.size === limit) break;
    }
    if (ids.size === 0) return [];
    const marks = [...ids].map(() => '?').join(', ');
    return (prepared(this.db, `${SELECT_TASKS} WHERE t.id IN (${marks}) ORDER BY t.id DESC`).all(...ids) as JoinedRow[]).map((row) => toTask(row, this.pending));
  }
}

/** Treats the person's words as plain terms (prefix-matched), so FTS syntax in them cannot error or inject. */
export function toFtsQuery(query: string): string {
  const terms = query.match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (terms.length === 0) return '""';
  return terms
    .slice(0, 32)
    .map((t) => `"${t}"*`)
    .join(' ');
}
