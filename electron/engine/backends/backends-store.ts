// The backends the person added. A key is stored as where to find it (a SecretRef), never as its value.
import type { BackendInfo, BackendKind, SecretRef } from '../../../shared/domain.js';
import type { Db } from '../store/database.js';
import { prepared } from '../store/database.js';

interface BackendRow {
  id: number;
  name: string;
  kind: string;
  url: string;
  key_ref: string | null;
  capacity: number | null;
  created_at: number;
}

export type BackendFields = Pick<BackendInfo, 'name' | 'kind' | 'url' | 'key' | 'capacity'>;

function toBackend(row: BackendRow): BackendInfo {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as BackendKind,
    url: row.url,
    key: row.key_ref ? (JSON.parse(row.key_ref) as SecretRef) : null,
    capacity: row.capacity,
    createdAt: row.created_at,
  };
}

export class BackendsStore {
  constructor(private readonly db: Db) {}

  byName(name: string): BackendInfo | null {
    const row = prepared(this.db, 'SELECT * FROM backends WHERE name = ?').get(name) as BackendRow | undefined;
    return row ? toBackend(row) : null;
  }

  list(): BackendInfo[] {
    return (prepared(this.db, 'SELECT * FROM backends ORDER BY name').all() as BackendRow[]).map(toBackend);
  }

  upsert(fields: BackendFields): BackendInfo {
    prepared(
      this.db,
      `INSERT INTO backends (name, kind, url, key_ref, capacity, created_at) VALUES (@name, @kind, @url, @key, @capacity, @now)
       ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, url = excluded.url, key_ref = excluded.key_ref, capacity = excluded.capacity`,
    ).run({
      name: fields.name,
      kind: fields.kind,
      url: fields.url,
      key: fields.key ? JSON.stringify(fields.key) : null,
      capacity: fields.capacity,
      now: Date.now(),
    });
    return this.byName(fields.name)!;
  }

  remove(name: string): void {
    prepared(this.db, 'DELETE FROM backends WHERE name = ?').run(name);
  }
}
