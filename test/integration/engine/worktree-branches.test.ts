// Task ids restart in every data dir, and branches live in the repository that data dirs share: a new task must still
// start from its base, on a branch of its own, and never on a branch someone else left behind.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

type Engine = { sb: Sandbox; watch: EventWatcher };

/** A new commit on main, so a task that starts "from main" is told apart from one left at an older commit. */
function advanceMain(sb: Sandbox, repo: string, name: string): string {
  writeFileSync(join(repo, name), `${name}\n`);
  sb.git(repo, 'add', name);
  sb.git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', name);
  return sb.git(repo, 'rev-parse', 'main').trim();
}

/** Stops the engine, lets `change` act on its data dir, and starts it again with a new watcher. */
async function restart({ sb, watch }: Engine, change: () => void): Promise<Engine> {
  watch.stop();
  await sb.errand(['daemon', 'stop']);
  change();
  await sb.errand(['daemon', 'start']);
  return { sb, watch: await EventWatcher.start(sb) };
}

async function fileAndFinish({ sb, watch }: Engine, repo: string, id: number, prompt: string) {
  await sb.json(['add', prompt, '--repo', repo, '--profile', 'quiet']);
  await watch.status(id, 'succeeded');
  return (await sb.json(['show', String(id)])).runs.at(-1);
}

describe('task branches across data dirs', () => {
  let a: Engine;
  let b: Engine | null = null;

  beforeEach(async () => {
    a = await startWatchedEngine();
    await a.sb.fakeProfile('quiet', ['say', 'done']);
  });
  afterEach(async () => {
    await stopWatchedEngine(a);
    if (b) await stopWatchedEngine(b);
    b = null;
  });

  it('starts task 1 of a second data dir on the same repo from the base, on its own branch', async () => {
    const repo = a.sb.repo();
    const first = await fileAndFinish(a, repo, 1, 'fix the parser');
    const now = advanceMain(a.sb, repo, 'later.txt');

    b = await startWatchedEngine();
    await b.sb.fakeProfile('quiet', ['say', 'done']);
    const second = await fileAndFinish(b, repo, 1, 'fix the parser');

    expect(second.branch).not.toBe(first.branch);
    expect(second.branch).toMatch(/^errand\/1-fix-the-parser-[a-z0-9]{4}$/);
    expect(b.sb.git(second.worktree, 'rev-parse', 'HEAD').trim()).toBe(now);
    expect((await b.sb.errand(['logs', '1'])).stdout).toContain(`on branch ${second.branch} from main`);
    // The first data dir's task keeps its branch and worktree as they were.
    expect(a.sb.git(first.worktree, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(first.branch);
  });

  it('starts task 1 from the base again after the data dir was deleted, leaving the old branch alone', async () => {
    const repo = a.sb.repo();
    const first = await fileAndFinish(a, repo, 1, 'fix the parser');
    const old = a.sb.git(repo, 'rev-parse', first.branch).trim();
    const now = advanceMain(a.sb, repo, 'later.txt');

    a = await restart(a, () => rmSync(a.sb.dataDir, { recursive: true, force: true }));
    await a.sb.fakeProfile('quiet', ['say', 'done']);
    const again = await fileAndFinish(a, repo, 1, 'fix the parser');

    expect(again.branch).not.toBe(first.branch);
    expect(a.sb.git(again.worktree, 'rev-parse', 'HEAD').trim()).toBe(now);
    expect(a.sb.git(repo, 'rev-parse', first.branch).trim()).toBe(old);
  });

  it('never starts from a branch of the exact name that no run of the task made', async () => {
    const { sb, watch } = a;
    const repo = sb.repo();
    const first = await fileAndFinish(a, repo, 1, 'first job');
    const oldCommit = sb.git(repo, 'rev-parse', 'main').trim();
    const leftover = first.branch.replace('1-first-job', '2-second-job');
    sb.git(repo, 'branch', leftover, oldCommit);
    const now = advanceMain(sb, repo, 'later.txt');

    await sb.json(['add', 'second job', '--repo', repo, '--profile', 'quiet']);
    const failed = await watch.status(2, 'failed');
    expect(failed.reason).toContain(`Branch ${leftover} already exists`);
    expect(failed.reason).toMatch(/will not start from it/);
    expect(sb.git(repo, 'rev-parse', leftover).trim()).toBe(oldCommit);
    expect((await sb.json(['show', '2'])).runs[0]).toMatchObject({ worktree: null, branch: null });
    // Cleaning the task removes nothing of that branch's, and a retry still refuses it.
    expect((await sb.json(['clean', '2'])).removed).toEqual([]);
    await sb.json(['retry', '2']);
    await watch.waitFor((e) => e.type === 'run.status' && e.taskId === 2 && e.runId !== failed.runId && e.status === 'failed', 'the retry to fail');
    expect(sb.git(repo, 'rev-parse', leftover).trim()).toBe(oldCommit);

    sb.git(repo, 'branch', '-D', leftover);
    await sb.json(['retry', '2']);
    await watch.waitFor((e) => e.type === 'run.status' && e.taskId === 2 && e.status === 'succeeded', 'the retry to succeed');
    const retried = (await sb.json(['show', '2'])).runs.at(-1);
    expect(retried.branch).toBe(leftover);
    expect(sb.git(retried.worktree, 'rev-parse', 'HEAD').trim()).toBe(now);
  });

  it('keeps finding the worktree and branch a task recorded before branch names carried the data dir id', async () => {
    const { sb } = a;
    const repo = sb.repo();
    const first = await fileAndFinish(a, repo, 1, 'old task');
    // Rewrite the run as an older engine recorded it: errand/1-old-task, in a folder without the id.
    const oldPath = join(first.worktree, '..', '1-old-task');
    sb.git(repo, 'worktree', 'move', first.worktree, oldPath);
    sb.git(repo, 'branch', '-m', first.branch, 'errand/1-old-task');
    a = await restart(a, () => {
      const db = new Database(join(sb.dataDir, 'errand.db'));
      db.prepare('UPDATE runs SET worktree = ?, branch = ? WHERE task_id = 1').run(oldPath, 'errand/1-old-task');
      db.close();
    });

    await sb.json(['retry', '1']);
    await a.watch.waitFor((e) => e.type === 'run.status' && e.taskId === 1 && e.status === 'succeeded', 'the retry to succeed');
    expect((await sb.errand(['logs', '1'])).stdout).toContain(`reusing worktree ${oldPath} (branch errand/1-old-task)`);
    expect((await sb.json(['clean', '1'])).removed).toEqual([oldPath, 'errand/1-old-task']);
    expect(existsSync(oldPath)).toBe(false);
  });
});
