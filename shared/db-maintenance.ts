// The database's check and its backups: what the engine binary's maintenance modes report, and how backups are named.

export type CheckDepth = 'quick' | 'full';

export interface DbCheckReport {
  path: string;
  exists: boolean;
  /** quick: SQLite's quick_check (structure); full: integrity_check (also every index against its table). */
  depth: CheckDepth;
  ok: boolean;
  problems: string[];
  ms: number;
  backups: BackupInfo[];
}

export type BackupKind = 'daily' | `before-v${number}`;

export interface BackupInfo {
  name: string;
  path: string;
  kind: BackupKind;
  takenAt: number;
  bytes: number;
}

export interface CheckedBackup extends BackupInfo {
  ok: boolean;
  problems: string[];
}

export interface DbRestoreReport {
  restored: CheckedBackup;
  /** Where the database that was replaced now is (never deleted), or null when there was none. */
  keptAside: string | null;
  /** Newer backups passed over because their own check failed. */
  skipped: CheckedBackup[];
}

/** What the engine binary prints, as one JSON line, in a maintenance mode. */
export type ToolOutput<T> = { result: T } | { error: { code: string; message: string } };

export const CHECK_DB_FLAG = '--check-db';
export const RESTORE_DB_FLAG = '--restore-db';

const BACKUP_NAME = /^errand-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(daily|before-v\d+)\.db$/;

/** errand-20250131-235959-daily.db: the time (UTC) it was taken and why. */
export function backupName(kind: BackupKind, takenAt: number): string {
  return `errand-${stamp(takenAt)}-${kind}.db`;
}

/** The time (UTC) and kind a backup's name carries, or null for a name that is not a backup's. */
export function parseBackupName(name: string): { kind: BackupKind; takenAt: number } | null {
  const m = BACKUP_NAME.exec(name);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  return { kind: m[7] as BackupKind, takenAt: Date.UTC(year, month - 1, day, hour, minute, second) };
}

/** 20250131-235959 (UTC), for file names that sort by time. */
export function stamp(at: number): string {
  return new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
