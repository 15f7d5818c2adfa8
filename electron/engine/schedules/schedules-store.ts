import type { ScheduleInfo } from '../../../shared/domain.js';
import type { Db } from '../store/database.js';
import { prepared } from '../store/database.js';

interface ScheduleRow {
  id: number;
  spec: string;
  cron: string;
  prompt: string;
  repo_id: number;
  repo_path: string;
  profile_name: string;
  profile_id: number;
  time_zone: string;
  paused: number;
  last_at: number | null;
  last_task_id: number | null;
  created_at: number;
}

export interface NewSchedule {
  when: string;
  cron: string;
  prompt: string;
  repoId: number;
  profileId: number;
  timeZone: string;
}

const SELECT = `SELECT s.*, rp.path AS repo_path, p.name AS profile_name FROM schedules s
  JOIN repos rp ON rp.id = s.repo_id JOIN profiles p ON p.id = s.profile_id`;

/** The schedules; each one's next occurrence is a persisted timer, not a column (see ScheduleService). */
export class SchedulesStore {
  constructor(private readonly db: Db) {}

  insert(s: NewSchedule): number {
    const { lastInsertRowid } = prepared(
      this.db,
      'INSERT INTO schedules (spec, cron, prompt, repo_id, profile_id, time_zone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(s.when, s.cron, s.prompt, s.repoId, s.profileId, s.timeZone, Date.now());
    return Number(lastInsertRowid);
  }

  update(id: number, s: NewSchedule): void {
    prepared(this.db, 'UPDATE schedules SET spec = ?, cron = ?, prompt = ?, repo_id = ?, profile_id = ?, time_zone = ? WHERE id = ?').run(
      s.when,
      s.cron,
      s.prompt,
      s.repoId,
      s.profileId,
      s.timeZone,
      id,
    );
  }

  setPaused(id: number, paused: boolean): void {
    prepared(this.db, 'UPDATE schedules SET paused = ? WHERE id = ?').run(paused ? 1 : 0, id);
  }

  ran(id: number, at: number, taskId: number): void {
    prepared(this.db, 'UPDATE schedules SET last_at = ?, last_task_id = ? WHERE id = ?').run(at, taskId, id);
  }

  remove(id: number): void {
    prepared(this.db, 'DELETE FROM schedules WHERE id = ?').run(id);
  }

  byId(id: number): (Omit<ScheduleInfo, 'nextAt'> & { profileId: number }) | null {
    const row = prepared(this.db, `${SELECT} WHERE s.id = ?`).get(id) as ScheduleRow | undefined;
    return row ? toSchedule(row) : null;
  }

  list(): (Omit<ScheduleInfo, 'nextAt'> & { profileId: number })[] {
    return (prepared(this.db, `${SELECT} ORDER BY s.id`).all() as ScheduleRow[]).map(toSchedule);
  }

  /** The tasks a schedule filed, newest first. */
  taskIds(id: number, limit: number): number[] {
    return prepared(this.db, 'SELECT id FROM tasks WHERE schedule_id = ? ORDER BY id DESC LIMIT ?').pluck().all(id, limit) as number[];
  }
}

function toSchedule(row: ScheduleRow): Omit<ScheduleInfo, 'nextAt'> & { profileId: number } {
  return {
    id: row.id,
    when: row.spec,
    cron: row.cron,
    prompt: row.prompt,
    repoId: row.repo_id,
    repoPath: row.repo_path,
    profile: row.profile_name,
    profileId: row.profile_id,
    timeZone: row.time_zone,
    paused: row.paused === 1,
    lastAt: row.last_at,
    lastTaskId: row.last_task_id,
    createdAt: row.created_at,
  };
}
