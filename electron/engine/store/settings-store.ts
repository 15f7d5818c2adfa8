import { randomInt } from 'node:crypto';
import type { Db } from './database.js';
import { prepared } from './database.js';

const DATA_DIR_ID_KEY = 'data_dir_id';
const DATA_DIR_ID_LENGTH = 4;
const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

export class SettingsStore {
  constructor(private readonly db: Db) {}

  getString(key: string): string | null {
    const row = prepared(this.db, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? row.value : null;
  }

  getNumber(key: string): number | null {
    const value = this.getString(key);
    if (value === null) return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }

  set(key: string, value: string | number): void {
    prepared(this.db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, String(value));
  }

  /** A short random id for this database, made on first use: it keeps task branches of different data dirs apart. */
  dataDirId(): string {
    const existing = this.getString(DATA_DIR_ID_KEY);
    if (existing) return existing;
    const id = Array.from({ length: DATA_DIR_ID_LENGTH }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
    prepared(this.db, 'INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(DATA_DIR_ID_KEY, id);
    return this.getString(DATA_DIR_ID_KEY)!;
  }
}
