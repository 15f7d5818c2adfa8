// One engine per data directory. The lock is an exclusive SQLite lock on a file: the kernel drops it when the
// process dies, however it dies, so a crash never leaves a stale lock behind and two racing starts cannot both win.
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { parsePid } from '../../shared/data-dir.js';
import { ownerOnlyFile } from './owner-only.js';

/**
 * How long to wait for the lock. Two engines starting at once each take a shared lock on the way to an exclusive one,
 * and with no wait both can give up; waiting lets the first through. A live engine holds it for good, so the second
 * reports it after this long.
 */
const LOCK_WAIT_MS = 1000;

export class InstanceLock {
  private constructor(private readonly db: Database.Database) {}

  /** Takes the lock, or returns null when another live engine holds it. */
  static acquire(path: string): InstanceLock | null {
    // Owner-only before SQLite opens it, which gives its -journal the same mode.
    ownerOnlyFile(path);
    const db = new Database(path, { timeout: LOCK_WAIT_MS });
    try {
      // An open exclusive transaction holds the lock until close. (locking_mode=EXCLUSIVE would also keep the shared
      // lock of a failed attempt, so two engines starting at once could each block the other.)
      db.exec('BEGIN EXCLUSIVE');
      return new InstanceLock(db);
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return null;
      throw error;
    }
  }

  release(): void {
    this.db.close();
  }
}

/** The pid the running engine wrote, if any: for messages that name it. */
export function readPid(pidFile: string): number | null {
  try {
    return parsePid(readFileSync(pidFile, 'utf8'));
  } catch {
    return null;
  }
}
