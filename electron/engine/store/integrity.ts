// Whether the database file is sound: checked before the engine writes into it, so a damaged file is never made worse.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { CheckDepth, DbCheckReport, ToolOutput } from '../../../shared/db-maintenance.js';
import { CHECK_DB_FLAG } from '../../../shared/db-maintenance.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { ProtocolError } from '../../../shared/protocol/errors.js';
import { writeOwnerOnly } from '../owner-only.js';
import type { Db } from './database.js';

/**
 * Databases up to this size are checked before the engine starts; quick_check reads every page, about 5 ms per MB
 * (650 ms for 100k tasks, 117 MB). A bigger one is checked by a child process while the engine serves, and the
 * engine stops if it is damaged. ERRAND_CHECK_AT_OPEN_MAX_BYTES overrides it (tests use 0 to take that path).
 */
const CHECK_AT_OPEN_MAX_BYTES = 32 * 1024 * 1024;
const PROBLEMS_SHOWN = 20;

export function checkAtOpenMaxBytes(): number {
  const override = Number(process.env.ERRAND_CHECK_AT_OPEN_MAX_BYTES);
  return process.env.ERRAND_CHECK_AT_OPEN_MAX_BYTES && Number.isFinite(override) ? override : CHECK_AT_OPEN_MAX_BYTES;
}

export function databaseBytes(db: Db): number {
  return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
}

/** What SQLite's check finds wrong, at most PROBLEMS_SHOWN lines; empty when the file is sound. */
export function integrityProblems(db: Db, depth: CheckDepth): string[] {
  try {
    const pragma = depth === 'quick' ? 'quick_check' : 'integrity_check';
    const lines = (db.pragma(`${pragma}(${PROBLEMS_SHOWN})`) as Record<string, string>[]).map((row) => String(Object.values(row)[0]));
    return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
  } catch (error) {
    if (isCorruption(error)) return [(error as Error).message];
    throw error;
  }
}

export function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_'));
}

const WHAT_TO_DO =
  'Run `errand db check` to see what is wrong, then `errand db restore` to bring back the newest good backup ' +
  '(the damaged file is kept aside, never deleted).';

export function damagedError(path: string, problems: string[]): ErrandError {
  const more = problems.length > 1 ? ` and ${problems.length - 1} more problem(s)` : '';
  return new ErrandError(
    'db_corrupt',
    `The database ${path} is damaged (${problems[0]}${more}), so the engine did not start, and nothing was written into it. ${WHAT_TO_DO}`,
  );
}

/** SQLite found damage while the engine was serving: the person must hear that, not "unexpected error". */
export function corruptionAtRuntime(error: unknown): ProtocolError | null {
  if (!isCorruption(error)) return null;
  return {
    code: 'db_corrupt',
    message:
      `The database is damaged (${(error as Error).message}), so the request was not done. Stop the engine ` +
      `(errand daemon stop --force). ${WHAT_TO_DO}`,
  };
}

/** A damage report a check left behind: it keeps every later start from writing into the file. */
export function recordDamage(markerPath: string, report: DbCheckReport): void {
  writeOwnerOnly(markerPath, `${JSON.stringify(report)}\n`);
}

/**
 * SQLite met damage while the engine was starting (a read that no check at open covered): it is recorded as a check's
 * finding would be, so no later start writes into the file, and told as damage rather than a bare SQLite error.
 */
export function damageMetAtStart(markerPath: string, databasePath: string, error: unknown): ErrandError {
  const problems = [(error as Error).message];
  recordDamage(markerPath, { path: databasePath, exists: true, depth: 'quick', ok: false, problems, ms: 0, backups: [] });
  return damagedError(databasePath, problems);
}

export function clearDamage(markerPath: string): void {
  rmSync(markerPath, { force: true });
}

export function refuseRecordedDamage(markerPath: string): void {
  let report: DbCheckReport;
  try {
    report = JSON.parse(readFileSync(markerPath, 'utf8')) as DbCheckReport;
  } catch {
    return;
  }
  throw damagedError(report.path, report.problems.length > 0 ? report.problems : ['an earlier check found it damaged']);
}

/**
 * Checks the database in a child process (the engine binary's own check mode), so a big file is read off the event
 * loop. Resolves with its report; `cancel` ends the child.
 */
export function checkInChild(dataDir: string, depth: CheckDepth): { done: Promise<DbCheckReport>; cancel: () => void } {
  // argv[1] is the engine's own entry point (dist/engine.cjs).
  const child = spawn(process.execPath, [process.argv[1]!, CHECK_DB_FLAG, depth], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ERRAND_HOME: dataDir },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<DbCheckReport>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', () => {
      try {
        const parsed = JSON.parse(output.trim().split('\n').pop() ?? '') as ToolOutput<DbCheckReport>;
        if ('result' in parsed) resolve(parsed.result);
        else reject(new Error(parsed.error.message));
      } catch {
        reject(new Error(`the database check ended without a report (${output.slice(0, 200)})`));
      }
    });
  });
  return { done, cancel: () => child.kill() };
}
