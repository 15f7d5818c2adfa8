// The engine binary's maintenance modes, run by `errand db check|restore`. They work when the engine will not start
// (its database is damaged), and keep native modules out of the CLI. Each prints one JSON line: { result } or { error }.
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { DataDirLayout } from '../../shared/data-dir.js';
import type { BackupInfo, CheckDepth, CheckedBackup, DbCheckReport, DbRestoreReport, ToolOutput } from '../../shared/db-maintenance.js';
import { CHECK_DB_FLAG, RESTORE_DB_FLAG, stamp } from '../../shared/db-maintenance.js';
import { ErrandError } from '../../shared/protocol/errors.js';
import { InstanceLock, readPid } from './instance-lock.js';
import { ownerOnlyFile, secureDataDir } from './owner-only.js';
import { listBackups } from './store/backups.js';
import { clearDamage, integrityProblems, recordDamage } from './store/integrity.js';

export function isMaintenanceMode(argv: string[]): boolean {
  return argv[0] === CHECK_DB_FLAG || argv[0] === RESTORE_DB_FLAG;
}

export function runMaintenance(argv: string[], layout: DataDirLayout): number {
  let output: ToolOutput<DbCheckReport | DbRestoreReport>;
  try {
    const depth: CheckDepth = argv[1] === 'quick' ? 'quick' : 'full';
    output = { result: argv[0] === CHECK_DB_FLAG ? checkDatabase(layout, depth) : restoreDatabase(layout, argv[1] ?? null) };
  } catch (error) {
    const code = error instanceof ErrandError ? error.code : 'internal';
    output = { error: { code, message: (error as Error).message } };
  }
  process.stdout.write(`${JSON.stringify(output)}\n`);
  return 'result' in output ? 0 : 1;
}

/**
 * Checks the database read-only (whether an engine has it open or not; a damaged file is not written). What it
 * finds is recorded for later starts: damage keeps the engine from starting; a clean full check clears that.
 */
function checkDatabase(layout: DataDirLayout, depth: CheckDepth): DbCheckReport {
  const started = performance.now();
  const path = layout.database;
  const backups = listBackups(layout.backups);
  if (!existsSync(path)) return { path, exists: false, depth, ok: true, problems: [], ms: 0, backups };
  const problems = checkFile(path, depth, { readonly: true });
  const report: DbCheckReport = { path, exists: true, depth, ok: problems.length === 0, problems, ms: Math.round(performance.now() - started), backups };
  if (!report.ok) recordDamage(layout.damageMarker, report);
  else if (depth === 'full') clearDamage(layout.damageMarker);
  return report;
}

function checkFile(path: string, depth: CheckDepth, options: { readonly: boolean }): string[] {
  const db = new Database(path, { readonly: options.readonly, fileMustExist: true });
  try {
    return integrityProblems(db, depth);
  } finally {
    db.close();
  }
}

/** Puts the newest sound backup (or the named one) in place of the database; the one it replaces is kept aside. */
function restoreDatabase(layout: DataDirLayout, name: string | null): DbRestoreReport {
  secureDataDir(layout.root, (line) => console.error(`[restore] ${line}`));
  const lock = InstanceLock.acquire(layout.lockFile);
  if (!lock) {
    const pid = readPid(layout.pidFile);
    throw new ErrandError(
      'conflict',
      `An engine is running for ${layout.root}${pid ? ` (pid ${pid})` : ''}, and restoring under it would lose what it writes. ` +
        'Stop it first (errand daemon stop), then run errand db restore again.',
    );
  }
  try {
    const candidates = chooseBackups(layout, name);
    const skipped: CheckedBackup[] = [];
    for (const backup of candidates) {
      // Opened read-write so SQLite removes what it opens beside it; a check writes nothing into the file.
      const problems = checkFile(backup.path, 'full', { readonly: false });
      const checked = { ...backup, ok: problems.length === 0, problems };
      if (checked.ok) return { restored: checked, keptAside: putInPlace(layout, backup), skipped };
      skipped.push(checked);
    }
    throw new ErrandError(
      'db_corrupt',
      `${name ? `The backup ${name} is` : `Every backup in ${layout.backups} is`} damaged too (${skipped[0]!.problems[0]}), so nothing was restored. ` +
        (name ? 'Run errand db restore without a name to take the newest sound one.' : ''),
    );
  } finally {
    lock.release();
  }
}

function chooseBackups(layout: DataDirLayout, name: string | null): BackupInfo[] {
  const backups = listBackups(layout.backups);
  if (backups.length === 0) {
    throw new ErrandError(
      'not_found',
      `There are no backups in ${layout.backups} to restore from (the engine takes one a day, and one before each upgrade of its database).`,
    );
  }
  if (name === null) return backups;
  const named = backups.find((b) => b.name === name || b.path === name);
  if (!named) {
    throw new ErrandError('not_found', `There is no backup "${name}". The backups are: ${backups.map((b) => b.name).join(', ')}.`);
  }
  return [named];
}

/** Copies the backup in beside the database, then swaps them; returns where the old database went. */
function putInPlace(layout: DataDirLayout, backup: BackupInfo): string | null {
  const db = layout.database;
  const incoming = `${db}.restoring`;
  rmSync(incoming, { force: true });
  copyFileSync(backup.path, incoming);
  ownerOnlyFile(incoming);
  const sidecars = ['-wal', '-shm', '-journal'].filter((suffix) => existsSync(db + suffix));
  let aside: string | null = null;
  if (existsSync(db) || sidecars.length > 0) {
    aside = `${db}.corrupt-${stamp(Date.now())}`;
    // The WAL goes with its database: it may hold that file's latest writes.
    for (const suffix of sidecars) renameSync(db + suffix, aside + suffix);
    if (existsSync(db)) renameSync(db, aside);
    if (existsSync(layout.damageMarker)) renameSync(layout.damageMarker, `${aside}.damaged`);
  }
  renameSync(incoming, db);
  clearDamage(layout.damageMarker);
  return aside;
}

