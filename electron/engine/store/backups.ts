// Online copies of the database in backups/ (daily, and before each migration), so a damaged file has something to
// come back from. SQLite's backup API copies a consistent snapshot in steps, between which the engine keeps serving.
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupInfo, BackupKind } from '../../../shared/db-maintenance.js';
import { backupName, parseBackupName } from '../../../shared/db-maintenance.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { ownerOnlyDir, ownerOnlyFile } from '../owner-only.js';
import type { Db } from './database.js';

export const DAILY_BACKUP_EVERY_MS = 24 * 60 * 60 * 1000;
/** How often a running engine looks whether the daily backup is due. */
const DAILY_BACKUP_LOOK_MS = 60 * 60 * 1000;
/** Kept of each kind (daily, before a migration): older ones are removed once a new one is complete. */
const BACKUPS_KEPT = 3;
const PARTIAL = '.partial';

/** The backups in `dir`, newest first. */
export function listBackups(dir: string): BackupInfo[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const backups: BackupInfo[] = [];
  for (const name of names) {
    const parsed = parseBackupName(name);
    const stat = parsed && statSync(join(dir, name), { throwIfNoEntry: false });
    if (parsed && stat?.isFile()) backups.push({ name, path: join(dir, name), ...parsed, bytes: stat.size });
  }
  return backups.sort((a, b) => b.takenAt - a.takenAt || b.name.localeCompare(a.name));
}

export class Backups {
  private inFlight: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dir: string,
    private readonly log: (line: string) => void = (line) => console.error(`[engine] ${line}`),
  ) {}

  /** Copies the database into a new backup, owner-only; one at a time. */
  take(db: Db, kind: BackupKind): Promise<BackupInfo> {
    const next = this.inFlight.then(() => this.copy(db, kind));
    this.inFlight = next.catch(() => {});
    return next;
  }

  /** The copy a migration needs first: without it the database is not upgraded, and the engine says why. */
  async beforeMigration(db: Db, toVersion: number): Promise<void> {
    try {
      await this.take(db, `before-v${toVersion}`);
    } catch (error) {
      const full = ['SQLITE_FULL', 'ENOSPC'].includes((error as { code?: string }).code ?? '');
      throw new ErrandError(
        full ? 'disk_full' : 'internal',
        `Could not back up the database before upgrading it to schema version ${toVersion} (${(error as Error).message}), so it was ` +
          `left as it was. ${full ? 'Free some space' : `Check that ${this.dir} is writable`}, then run any errand command again.`,
      );
    }
  }

  /** Takes a daily backup now if the newest is a day old, then looks again every hour until stopped. */
  startDaily(db: Db): void {
    const look = () => {
      const newest = listBackups(this.dir).find((b) => b.kind === 'daily');
      if (newest && Date.now() - newest.takenAt < DAILY_BACKUP_EVERY_MS) return;
      this.take(db, 'daily').catch((error: unknown) => this.log(`could not back up the database: ${(error as Error).message}`));
    };
    look();
    this.timer = setInterval(look, DAILY_BACKUP_LOOK_MS);
    this.timer.unref();
  }

  /** Stops the daily look and waits for a backup under way, so the database is closed only after it. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private async copy(db: Db, kind: BackupKind): Promise<BackupInfo> {
    ownerOnlyDir(this.dir);
    // One engine, one backup at a time: a partial file here was cut short by a crash.
    for (const stale of readdirSync(this.dir).filter((n) => n.includes(PARTIAL))) rmSync(join(this.dir, stale), { force: true });
    const name = backupName(kind, Date.now());
    const path = join(this.dir, name);
    // Written under another name and renamed when complete: a backup cut short by a crash is never taken for one.
    const partial = path + PARTIAL;
    ownerOnlyFile(partial);
    try {
      await db.backup(partial);
      renameSync(partial, path);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    this.prune();
    this.log(`backed up the database to ${path}`);
    return listBackups(this.dir).find((b) => b.name === name)!;
  }

  private prune(): void {
    const all = listBackups(this.dir);
    const daily = all.filter((b) => b.kind === 'daily');
    const migrations = all.filter((b) => b.kind !== 'daily');
    for (const old of [...daily.slice(BACKUPS_KEPT), ...migrations.slice(BACKUPS_KEPT)]) {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(old.path + suffix, { force: true });
    }
  }
}
