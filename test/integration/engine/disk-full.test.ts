// A disk that fills up while an agent floods its log: the run fails saying so, the database stays whole, and the
// engine keeps serving. The runs directory is a 256 KiB tmpfs (needs root and mount; skipped, saying why, without).
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

const TMPFS_BYTES = 256 * 1024;

function tryMount(dir: string, options = `size=${TMPFS_BYTES}`): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `${options},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mount -t tmpfs failed (${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()})`;
  }
}

describe('a full disk while writing a run log', () => {
  let sb: Sandbox;
  let runsDir: string;
  let mountProblem: string | null;
  let watch: EventWatcher | null = null;

  beforeEach(async () => {
    sb = new Sandbox();
    runsDir = join(sb.dataDir, 'runs');
    mkdirSync(runsDir, { recursive: true, mode: 0o700 });
    mountProblem = tryMount(runsDir);
    if (mountProblem) return;
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
  });
  afterEach(async () => {
    watch?.stop();
    watch = null;
    await sb.errand(['daemon', 'stop', '--force']);
    if (!mountProblem) {
      try {
        execFileSync('umount', [runsDir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', runsDir], { stdio: 'pipe' });
      }
    }
    await sb.cleanup();
  });

  it('fails the flooding run with ENOSPC in its reason, keeps the database consistent, and serves later tasks', async (ctx) => {
    if (mountProblem) {
      console.warn(`skipped the full-disk test: ${mountProblem}`);
      ctx.skip();
    }
    const w = watch!;
    const repo = sb.repo('app');
    const other = sb.repo('other');
    await sb.fakeProfile('flood', ['say', 'flood starts', 'flood', String(2 * 1024 * 1024), 'say', 'flood ended']);
    await sb.fakeProfile('quick', ['say', 'quick and small']);

    await sb.json(['add', 'print a lot', '--repo', repo, '--profile', 'flood']);
    const failed = await w.status(1, 'failed');
    expect(failed.reason).toMatch(/log/);
    expect(failed.reason).toMatch(/ENOSPC/);
    expect(failed.reason).toMatch(/disk space/i);

    // The engine still answers, and what it stored reads back.
    const ls = await sb.json(['ls']);
    expect(ls.tasks).toEqual([expect.objectContaining({ id: 1, status: 'failed' })]);
    const shown = await sb.json(['show', '1']);
    expect(shown.runs).toHaveLength(1);
    expect(shown.runs[0]).toMatchObject({ status: 'failed', pid: null });
    const logs = await sb.errand(['logs', '1']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('flood starts');
    expect(logs.stdout).not.toContain('flood ended');
    const logFile = join(runsDir, String(shown.runs[0].id), 'output.log');
    expect(shown.runs[0].logBytes).toBeLessThanOrEqual(statSync(logFile).size);

    // While the disk is still full, a new task fails with a reason that says so; nothing crashes.
    await sb.json(['add', 'small, but the disk is full', '--repo', other, '--profile', 'quick']);
    const alsoFailed = await w.status(2, 'failed');
    expect(alsoFailed.reason).toMatch(/ENOSPC/);
    expect(alsoFailed.reason).toMatch(/disk is full.*Free disk space/);
    const { pid } = await sb.json(['daemon', 'status']);

    // Once space is freed, work goes on, on the same engine.
    truncateSync(logFile, 0);
    await sb.json(['add', 'small, with room again', '--repo', other, '--profile', 'quick']);
    await w.status(3, 'succeeded');
    expect((await sb.errand(['logs', '3'])).stdout).toContain('quick and small');
    expect((await sb.json(['daemon', 'status'])).pid).toBe(pid);

    // The database is whole, and its log index agrees with itself.
    const db = new Database(join(sb.dataDir, 'errand.db'), { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const runs = db.prepare('SELECT id, status, log_bytes AS logBytes FROM runs ORDER BY id').all() as { id: number; status: string; logBytes: number }[];
      expect(runs.map((r) => r.status)).toEqual(['failed', 'failed', 'succeeded']);
      for (const run of runs) {
        const chunks = db.prepare('SELECT offset, length FROM run_chunks WHERE run_id = ? ORDER BY offset').all(run.id) as { offset: number; length: number }[];
        let end = 0;
        for (const c of chunks) {
          expect(c.offset).toBe(end);
          end += c.length;
        }
        expect(end).toBeLessThanOrEqual(run.logBytes);
      }
    } finally {
      db.close();
    }
  });

  it('fails a run whose files cannot even be made (no inode left), and goes on serving', async (ctx) => {
    if (mountProblem) {
      console.warn(`skipped the full-disk test: ${mountProblem}`);
      ctx.skip();
    }
    // A second tmpfs over the first, with no inode to spare: the run's directory cannot be made.
    const problem = tryMount(runsDir, 'size=1m,nr_inodes=1');
    expect(problem).toBeNull();
    try {
      const w = watch!;
      await sb.fakeProfile('quick', ['say', 'quick and small']);
      await sb.json(['add', 'no room for its files', '--repo', sb.repo('app'), '--profile', 'quick']);
      const failed = await w.status(1, 'failed');
      expect(failed.reason).toMatch(/^the disk is full \(could not create the run's files: ENOSPC.*\)\. Free disk space, then retry the task\.$/);
      expect(failed.ended).toBe(true);
      const { pid } = await sb.json(['daemon', 'status']);
      expect((await sb.json(['ls'])).tasks).toEqual([expect.objectContaining({ id: 1, status: 'failed' })]);
      expect((await sb.json(['daemon', 'status'])).pid).toBe(pid);
    } finally {
      execFileSync('umount', [runsDir], { stdio: 'pipe' });
    }
  });
});
