import type { Db } from './database.js';
import { prepared } from './database.js';

export interface TimerRow {
  kind: string;
  key: number;
  at: number;
}

/** Persisted wake-up times: one per (kind, key), so setting one again moves it. */
export class TimersStore {
  constructor(private readonly db: Db) {}

  set(kind: string, key: number, at: number): void {
    prepared(this.db, 'INSERT INTO timers (kind, key, at) VALUES (?, ?, ?) ON CONFLICT(kind, key) DO UPDATE SET at = excluded.at')
      .run(kind, key, at);
  }

  clear(kind: string, key: number): boolean {
    return prepared(this.db, 'DELETE FROM timers WHERE kind = ? AND key = ?').run(kind, key).changes > 0;
  }

  get(kind: string, key: number): number | null {
    const row = prepared(this.db, 'SELECT at FROM timers WHERE kind = ? AND key = ?').get(kind, key) as { at: number } | undefined;
    return row?.at ?? null;
  }

  /** Timers of one kind, soonest first. */
  ofKind(kind: string): TimerRow[] {
    return prepared(this.db, 'SELECT kind, key, at FROM timers WHERE kind = ? ORDER BY at, key').all(kind) as TimerRow[];
  }

  due(now: number, limit: number): TimerRow[] {
    return prepared(this.db, 'SELECT kind, key, at FROM timers WHERE at <= ? ORDER BY at, key LIMIT ?').all(now, limit) as TimerRow[];
  }

  soonest(): number | null {
    const row = prepared(this.db, 'SELECT MIN(at) AS at FROM timers').get() as { at: number | null };
    return row.at;
  }
}
