// `errand gc` and `errand ls --disk` over real repositories: the worktrees of finished tasks are listed (a dry run by
// default) and reclaimed with --yes, never one with uncommitted or unmerged work, nor a result still waiting for review.
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { finishedTask } from '../../support/review-helpers.js';
import { Sandbox } from '../../support/sandbox.js';

describe('errand gc', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo('app', { 'a.txt': 'a\n' });
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  async function task(id: number, steps: string[], status: string): Promise<{ worktree: string; branch: string }> {
    await sb.fakeProfile(`agent-${id}`, steps);
    await sb.json(['add', `task ${id}`, '--repo', repo, '--profile', `agent-${id}`]);
    const ended = await watch.status(id, status);
    await watch.ended(ended.runId);
    const { runs } = await sb.json(['show', String(id)]);
    return { worktree: runs[0].worktree, branch: runs[0].branch };
  }

  it('lists what can go, reclaims only that with --yes, and keeps uncommitted, unmerged and unreviewed work', async () => {
    const empty = await task(1, ['say', 'giving up', 'exit', '1'], 'failed');
    const edited = await task(2, ['edit', 'notes.txt', 'half done\n', 'exit', '1'], 'failed');
    const committed = await task(3, ['exit', '1'], 'failed');
    sb.git(committed.worktree, 'commit', '-q', '--allow-empty', '-m', 'work only this branch has');
    const waiting = await task(4, ['say', 'nothing to do'], 'succeeded');

    const dry = await sb.json(['gc']);
    const byTask = Object.fromEntries(dry.entries.map((e: any) => [e.taskId, e]));
    expect(Object.keys(byTask).map(Number)).toEqual([1, 2, 3]);
    expect(byTask[1]).toMatchObject({ worktree: empty.worktree, branch: empty.branch, keptBecause: null, reclaimed: false });
    expect(byTask[1].bytes).toBeGreaterThan(0);
    expect(byTask[2].keptBecause).toContain('uncommitted change(s)');
    expect(byTask[2].keptBecause).toContain('notes.txt');
    expect(byTask[3].keptBecause).toContain(`1 commit(s) on ${committed.branch} not merged into main`);
    // A dry run touches nothing.
    for (const w of [empty, edited, committed, waiting]) expect(existsSync(w.worktree)).toBe(true);
    expect((await sb.errand(['gc'])).stdout).toContain('1 worktree(s)');

    const disk = await sb.json(['ls', '--disk']);
    expect(disk.repos).toEqual([{ repoId: 1, path: repo, worktrees: 4, bytes: expect.any(Number) }]);
    expect(disk.repos[0].bytes).toBeGreaterThan(0);
    expect((await sb.errand(['ls', '--disk'])).stdout).toMatch(new RegExp(`${repo}\\s+4\\s+[\\d.]+ (KiB|MiB)`));

    const reclaimed = await sb.json(['gc', '--yes']);
    expect(reclaimed.entries.map((e: any) => [e.taskId, e.reclaimed])).toEqual([[1, true], [2, false], [3, false]]);
    expect(existsSync(empty.worktree)).toBe(false);
    expect(sb.git(repo, 'branch', '--list', empty.branch).trim()).toBe('');
    for (const w of [edited, committed, waiting]) expect(existsSync(w.worktree)).toBe(true);
    expect(sb.git(repo, 'branch', '--list', committed.branch).trim()).not.toBe('');
    expect((await sb.json(['gc'])).entries.map((e: any) => e.taskId)).toEqual([2, 3]);
  });

  it('after a merge removes the worktree, and the branch unless the repo keeps merged branches', async () => {
    await sb.json(['repo', 'add', repo, '--keep-merged-branches']);
    const kept = await finishedTask(sb, watch, repo, 1, ['edit', 'x.txt', 'x\n']);
    const merged = await sb.json(['approve', '1', '--merge']);
    expect(merged.reviewDetail.message).toContain(`branch ${kept.branch} kept (the repo keeps merged branches)`);
    expect(existsSync(kept.worktree)).toBe(false);
    expect(sb.git(repo, 'branch', '--list', kept.branch).trim()).not.toBe('');

    expect((await sb.json(['repo', 'add', repo, '--delete-merged-branches'])).deleteMergedBranches).toBe(true);
    const gone = await finishedTask(sb, watch, repo, 2, ['edit', 'y.txt', 'y\n']);
    await sb.json(['approve', '2', '--merge']);
    expect(existsSync(gone.worktree)).toBe(false);
    expect(sb.git(repo, 'branch', '--list', gone.branch).trim()).toBe('');
    const both = await sb.errand(['repo', 'add', repo, '--keep-merged-branches', '--delete-merged-branches']);
    expect(both.code).toBe(2);
  });
});
