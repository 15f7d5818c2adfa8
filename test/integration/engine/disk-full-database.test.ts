// A disk so full that the database cannot take a run's last status: the engine keeps that status in memory, tells it
// to everyone at once, treats the run as ended, and stores it as soon as there is room, or at its next start. The whole
// data dir is a small tmpfs the test fills (needs root and mount; skipped, saying why, without).
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher } from '../../support/event-watcher.js';
import { isAlive, waitUntil } from '../../support/processes.js';
import { Sandbox } from '../../support/sandbox.js';

const DATA_TMPFS_BYTES = 8 * 1024 * 1024;
const FLOOD_BYTES = 4 * 1024 * 1024;
const DISK_FULL_REASON = /^the disk is full \(could not write the run log: ENOSPC.*\)\. Free disk space, then retry the task\.$/;
/** The engine retries held writes at most this far apart, plus room for a busy machine. */
const STORED_WITHIN_MS = 5000 + 5000;

function tryMount(dir: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DATA_TMPFS_BYTES},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mount -t tmpfs failed (${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()})`;
  }
}

/** Writes a file until the disk takes no more, down to the last byte. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w', 0o600);
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (const size of [block.length, 4096, 1]) {
      try {
        for (;;) writeSync(fd, block, 0, size);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** The run's row as the database file has it, read by a connection of the test's own. */
function storedRun(dataDir: string, runId: number): { status: string; reason: string | null; pid: number | null } {
  const db = new Database(join(dataDir, 'errand.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT status, reason, pid FROM runs WHERE id = ?').get(runId) as { status: string; reason: string | null; pid: number | null };
  } finally {
    db.close();
  }
}

describe('a disk too full for the database to take how a run ended', () => {
  let sb: Sandbox;
  let mountProblem: string | null;
  let watch: EventWatcher | null = null;
  let filler: string;
  let go: string;

  beforeEach(async () => {
    sb = new Sandbox();
    mkdirSync(sb.dataDir, { recursive: true, mode: 0o700 });
    mountProblem = tryMount(sb.dataDir);
    if (mountProblem) return;
    filler = join(sb.dataDir, 'filler');
    go = join(sb.root, 'go');
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
  });
  afterEach(async () => {
    watch?.stop();
    watch = null;
    rmSync(filler, { force: true });
    await sb.errand(['daemon', 'stop', '--force']);
    if (!mountProblem) {
      try {
        execFileSync('umount', [sb.dataDir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', sb.dataDir], { stdio: 'pipe' });
      }
    }
    await sb.cleanup();
  });

  /** Task 1 floods its log once the disk is full, and fails; the database could not take that. */
  async function ghostRun(w: EventWatcher): Promise<void> {
    const repo = sb.repo('app');
    await sb.fakeProfile('flood', ['say', 'flood starts', 'wait-file', go, 'flood', String(FLOOD_BYTES), 'say', 'flood ended']);
    await sb.json(['add', 'print a lot', '--repo', repo, '--profile', 'flood']);
    await w.status(1, 'running');
    fillDisk(filler);
    writeFileSync(go, '');
    const failed = await w.status(1, 'failed');
    expect(failed.reason).toMatch(DISK_FULL_REASON);
    expect(failed.ended).toBe(true);
    // The file itself still says running: what follows is answered from what the engine holds.
    expect(storedRun(sb.dataDir, 1).status).toBe('running');
  }

  it('tells the run failed at once, treats it as ended, keeps serving, and stores the status once there is room', async (ctx) => {
    if (mountProblem) {
      console.warn(`skipped the full-database test: ${mountProblem}`);
      ctx.skip();
    }
    const w = watch!;
    await ghostRun(w);
    const { pid } = await sb.json(['daemon', 'status']);

    const ls = await sb.json(['ls']);
    expect(ls.tasks).toEqual([expect.objectContaining({ id: 1, status: 'failed' })]);
    expect((await sb.json(['ls', '--status', 'running'])).tasks).toEqual([]);
    expect((await sb.json(['ls', '--status', 'failed'])).tasks).toEqual([expect.objectContaining({ id: 1 })]);
    const shown = await sb.json(['show', '1']);
    expect(shown.task.status).toBe('failed');
    expect(shown.runs[0]).toMatchObject({ status: 'failed', pid: null });
    expect(shown.runs[0].reason).toMatch(DISK_FULL_REASON);
    expect((await sb.errand(['show', '1'])).stdout).toMatch(/the disk is full/);

    const cancel = await sb.errand(['cancel', '1']);
    expect(cancel.code).not.toBe(0);
    expect(cancel.stderr).toMatch(/already ended \(failed\)/);
    // A retry needs a new row: the disk says no, and the person is told so.
    const retry = await sb.errand(['retry', '1']);
    expect(retry.code).not.toBe(0);
    expect(retry.stderr).toMatch(/disk is full/i);
    expect(retry.stderr).not.toMatch(/running|unexpected/);
    expect(storedRun(sb.dataDir, 1).status).toBe('running');
    expect((await sb.json(['daemon', 'status'])).pid).toBe(pid);

    // Room again: the held status lands, and the engine says when.
    rmSync(filler);
    await w.waitFor((e) => e.type === 'run.saved' && e.runId === 1, 'run 1 stored', STORED_WITHIN_MS);
    const stored = storedRun(sb.dataDir, 1);
    expect(stored).toMatchObject({ status: 'failed', pid: null });
    expect(stored.reason).toMatch(DISK_FULL_REASON);
    expect((await sb.json(['daemon', 'status'])).pid).toBe(pid);

    const clean = await sb.errand(['clean', '1']);
    expect(clean.code, clean.stderr).toBe(0);
    const retried = await sb.json(['retry', '1']);
    expect(retried.run.id).not.toBe(1);
    await w.waitFor((e) => e.type === 'run.status' && e.runId === retried.run.id && e.status === 'running', 'the retry to run');
  });

  it('lets the engine stop while the disk is still full, and the next start reads the run as failed, not interrupted', async (ctx) => {
    if (mountProblem) {
      console.warn(`skipped the full-database test: ${mountProblem}`);
      ctx.skip();
    }
    await ghostRun(watch!);
    watch!.stop();
    watch = null;

    // Nothing is live, so a plain stop is not refused; what the disk would not take waits for the next start.
    const stop = await sb.errand(['daemon', 'stop']);
    expect(stop.code, stop.stderr).toBe(0);
    expect(storedRun(sb.dataDir, 1).status).toBe('running');

    rmSync(filler);
    const shown = await sb.json(['show', '1']);
    expect(shown.runs[0]).toMatchObject({ status: 'failed', pid: null });
    expect(shown.runs[0].reason).toMatch(DISK_FULL_REASON);
    expect(storedRun(sb.dataDir, 1)).toMatchObject({ status: 'failed', reason: shown.runs[0].reason });
  });

  it('keeps the run failed after the engine is killed while the disk is still full', async (ctx) => {
    if (mountProblem) {
      console.warn(`skipped the full-database test: ${mountProblem}`);
      ctx.skip();
    }
    await ghostRun(watch!);
    const { pid } = await sb.json(['daemon', 'status']);
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !isAlive(pid), 'the engine to die');

    rmSync(filler);
    const shown = await sb.json(['show', '1']);
    expect(shown.runs[0]).toMatchObject({ status: 'failed', pid: null });
    expect(shown.runs[0].reason).toMatch(DISK_FULL_REASON);
    expect(storedRun(sb.dataDir, 1).status).toBe('failed');
  });
});
