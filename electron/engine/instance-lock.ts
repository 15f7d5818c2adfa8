// One engine per data directory. The lock is an exclusive SQLite lock on a file: the kernel drops it when the
// process dies, however it dies, so a crash never leaves a stale lock behind and two racing starts cannot both win.
import Database from 'better-sqlite3';

export class InstanceLock {
  private constructor(private readonly db: Database.Database) {}

  /** Takes the lock, or returns null when another live engine holds it. */
  static acquire(path: string): InstanceLock | null {
    const db = new Database(path, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
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
