// errand db check | restore: the database's health, and its backups. Both run as a mode of the engine binary (the
// CLI loads no native module), which works even when a damaged database keeps the engine from starting.
import { spawn } from 'node:child_process';
import type { BackupInfo, DbCheckReport, DbRestoreReport, ToolOutput } from '../../../shared/db-maintenance.js';
import { CHECK_DB_FLAG, RESTORE_DB_FLAG } from '../../../shared/db-maintenance.js';
import { ErrandError, isProtocolError } from '../../../shared/protocol/errors.js';
import type { CliContext } from '../cli-context.js';
import { AnsweredFailure, parse, UsageError } from '../cli-context.js';
import { ENGINE_ENTRY } from '../daemon.js';
import { elapsed, table } from '../format.js';

const CHECK_USAGE =
  'errand db check\n' +
  "  runs SQLite's integrity_check over the database (the engine may be running or not) and lists the backups";
const RESTORE_USAGE =
  'errand db restore [BACKUP]\n' +
  '  puts the newest sound backup (or the one named, as `errand db check` lists them) in place of the database,\n' +
  '  while no engine runs; the database it replaces is kept as errand.db.corrupt-<time>, never deleted';
const DB_USAGE = `${CHECK_USAGE}\n${RESTORE_USAGE}`;

export async function db(ctx: CliContext, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'check') return check(ctx, rest);
  if (action === 'restore') return restore(ctx, rest);
  parse(args, {}, DB_USAGE);
  throw new UsageError(`usage: ${DB_USAGE}`);
}

async function check(ctx: CliContext, args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, CHECK_USAGE);
  if (positionals.length > 0) throw new UsageError(`usage: ${CHECK_USAGE}`);
  const report = await runEngineTool<DbCheckReport>(ctx, [CHECK_DB_FLAG, 'full']);
  ctx.print(report, () => `${verdict(report)}\n${backupList(ctx, report.backups)}`);
  if (!report.ok) {
    throw new AnsweredFailure(
      'the database is damaged. Stop the engine if it runs (errand daemon stop --force), then errand db restore puts the newest sound backup back.',
    );
  }
}

async function restore(ctx: CliContext, args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, RESTORE_USAGE);
  if (positionals.length > 1) throw new UsageError(`name one backup at most\nusage: ${RESTORE_USAGE}`);
  const report = await runEngineTool<DbRestoreReport>(ctx, [RESTORE_DB_FLAG, ...positionals]);
  ctx.print(report, () => {
    const { restored } = report;
    const lines = [`restored ${restored.name} (${restored.kind}, taken ${elapsed(Date.now() - restored.takenAt)} ago) as ${ctx.layout.database}`];
    if (report.keptAside) lines.push(`the database it replaced is kept as ${report.keptAside}`);
    for (const skipped of report.skipped) lines.push(`passed over ${skipped.name}: damaged too (${skipped.problems[0]})`);
    return lines.join('\n');
  });
}

function verdict(report: DbCheckReport): string {
  if (!report.exists) return `no database yet at ${report.path}`;
  if (report.ok) return `${report.path} is sound (integrity_check, ${report.ms} ms)`;
  return [`${report.path} is damaged; integrity_check found:`, ...report.problems.map((p) => `  ${p}`)].join('\n');
}

function backupList(ctx: CliContext, backups: BackupInfo[]): string {
  if (backups.length === 0) return `no backups yet in ${ctx.layout.backups} (the engine takes one a day, and one before each upgrade)`;
  const rows = backups.map((b) => [b.name, b.kind, `${elapsed(Date.now() - b.takenAt)} ago`, `${(b.bytes / 1e6).toFixed(1)} MB`]);
  return `backups in ${ctx.layout.backups}, newest first:\n${table([['NAME', 'KIND', 'TAKEN', 'SIZE'], ...rows])}`;
}

/** Runs the engine binary in one of its maintenance modes and returns its answer. */
function runEngineTool<T>(ctx: CliContext, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENGINE_ENTRY, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ERRAND_HOME: ctx.layout.root },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => reject(new ErrandError('internal', `Could not run the engine binary ${ENGINE_ENTRY}: ${error.message}`)));
    child.once('close', (code) => {
      let output: ToolOutput<T>;
      try {
        output = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ToolOutput<T>;
      } catch {
        reject(new ErrandError('internal', `The engine binary exited (code ${code}) without an answer: ${stderr.trim().split('\n').pop() ?? ''}`));
        return;
      }
      if ('result' in output) resolve(output.result);
      else reject(isProtocolError(output.error) ? new ErrandError(output.error.code, output.error.message) : new Error(String(output.error)));
    });
  });
}
