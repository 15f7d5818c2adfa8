// Merge trains as stored: one row per train, its items (in merge order) as JSON, written after every step so a
// restarted engine knows where each train stood.
import type { TrainInfo, TrainItem, TrainStatus } from '../../../shared/domain.js';
import { prepared } from '../store/database.js';
import type { Db } from '../store/database.js';

interface TrainRow {
  id: number;
  repo_id: number;
  status: string;
  items: string;
  created_at: number;
  ended_at: number | null;
}

const RECENT_TRAINS = 20;

function toTrain(row: TrainRow): TrainInfo {
  return {
    id: row.id,
    repoId: row.repo_id,
    status: row.status as TrainStatus,
    items: JSON.parse(row.items) as TrainItem[],
    createdAt: row.created_at,
    endedAt: row.ended_at,
  };
}

export class TrainStore {
  constructor(private readonly db: Db) {}

  create(repoId: number, taskIds: readonly number[]): TrainInfo {
    const items: TrainItem[] = taskIds.map((taskId) => ({ taskId, state: 'waiting', message: null, needsCheck: false, check: null }));
    const { lastInsertRowid } = prepared(this.db, "INSERT INTO merge_trains (repo_id, status, items, created_at) VALUES (?, 'running', ?, ?)")
      .run(repoId, JSON.stringify(items), Date.now());
    return this.byId(Number(lastInsertRowid))!;
  }

  save(train: TrainInfo): void {
    prepared(this.db, 'UPDATE merge_trains SET status = ?, items = ?, ended_at = ? WHERE id = ?')
      .run(train.status, JSON.stringify(train.items), train.endedAt, train.id);
  }

  byId(id: number): TrainInfo | null {
    const row = prepared(this.db, 'SELECT * FROM merge_trains WHERE id = ?').get(id) as TrainRow | undefined;
    return row ? toTrain(row) : null;
  }

  running(): TrainInfo[] {
    return (prepared(this.db, "SELECT * FROM merge_trains WHERE status = 'running' ORDER BY id").all() as TrainRow[]).map(toTrain);
  }

  recent(): TrainInfo[] {
    return (prepared(this.db, 'SELECT * FROM merge_trains ORDER BY id DESC LIMIT ?').all(RECENT_TRAINS) as TrainRow[]).map(toTrain);
  }
}
