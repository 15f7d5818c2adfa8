// Review and approve --merge over real repositories: the diff includes uncommitted and untracked work, and a merge
// happens only when it is safe; otherwise the person's checkout stays byte-for-byte as it was.
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { checkoutState, finishedTask } from '../../support/review-helpers.js';
import { Sandbox } from '../../support/sandbox.js';

const FILES = { 'a.txt': 'one\ntwo\nthree\n', 'c.txt': 'gone\nsoon\n', '.gitignore': '*.log\n' };

describe('review and approve --merge', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo('app', FILES);
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it('shows a modified, an added, a deleted and an untracked file with their +/-, touching nothing', async () => {
    const { worktree, branch } = await finishedTask(sb, watch, repo, 1, [
      'edit', 'a.txt', 'one\nTWO\nthree\nfour\n',
      'edit', 'added.txt', 'x\ny\n',
      'edit', 'new.txt', 'n\n',
      'edit', 'build.log', 'ignored\n',
      'say', 'I changed a.txt and made two files.',
    ]);
    sb.git(worktree, 'add', 'added.txt');
    sb.git(worktree, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'the agent committed one file');
    unlinkSync(join(worktree, 'c.txt'));
    const before = checkoutState(sb, worktree);

    const review = await sb.json(['review', '1']);
    expect(review.branch).toBe(branch);
    expect(review.source).toBe('worktree');
    expect(review.noChanges).toBe(false);
    const byPath = Object.fromEntries(review.files.map((f: any) => [f.path, [f.status, f.additions, f.deletions]]));
    expect(byPath).toEqual({
      'a.txt': ['modified', 2, 1],
      'added.txt': ['added', 2, 0],
      'c.txt': ['deleted', 0, 2],
      'new.txt': ['added', 1, 0],
    });
    expect([review.additions, review.deletions]).toEqual([5, 3]);
    expect(review.diff).toContain('+TWO\n');
    expect(review.diff).toContain('diff --git a/new.txt b/new.txt');
    expect(review.diff).not.toContain('build.log');
    expect(review.summary).toContain('I changed a.txt and made two files.');
    expect(review.mergeBase).toBe(sb.git(repo, 'rev-parse', 'main').trim());
    // The worktree's index, status and files are exactly as the agent left them.
    expect(checkoutState(sb, worktree)).toEqual(before);

    const human = await sb.errand(['review', '1']);
    expect(human.stdout).toMatch(/modified\s+\+2\s+-1\s+a\.txt/);
    expect(human.stdout).toContain('4 file(s), +5 -3');
  });

  it('says "no changes" for a task that changed nothing', async () => {
    await finishedTask(sb, watch, repo, 1, ['say', 'all good already']);
    const review = await sb.json(['review', '1']);
    expect(review.noChanges).toBe(true);
    expect(review.files).toEqual([]);
    expect((await sb.errand(['review', '1'])).stdout).toContain('no changes');
    const merge = await sb.errand(['approve', '1', '--merge']);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toMatch(/no changes .* nothing to merge/);
  });

  it('commits uncommitted and untracked work, squashes it onto the base, removes the worktree, and refuses a second time', async () => {
    const { worktree, branch } = await finishedTask(
      sb, watch, repo, 1,
      ['edit', 'a.txt', 'one\nTWO\nthree\n', 'edit', 'new.txt', 'brand new\n'],
      'Make two a capital\n\nand add new.txt',
    );
    const base = sb.git(repo, 'rev-parse', 'main').trim();
    const merged = await sb.json(['approve', '1', '--merge']);
    expect(merged.review).toBe('merged');
    await watch.waitFor((e) => e.type === 'task.review' && e.taskId === 1 && e.review === 'merged', 'the merged event');

    // The person's checkout (on main, clean) was moved forward to the squash commit; its files have the work.
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('one\nTWO\nthree\n');
    expect(readFileSync(join(repo, 'new.txt'), 'utf8')).toBe('brand new\n');
    expect(sb.git(repo, 'status', '--porcelain')).toBe('');
    expect(sb.git(repo, 'rev-parse', 'HEAD~1').trim()).toBe(base);
    expect(sb.git(repo, 'rev-list', '--parents', '-n1', 'HEAD').trim().split(' ')).toHaveLength(2);
    expect(sb.git(repo, 'log', '-1', '--format=%B')).toBe('Make two a capital\n\nErrand task 1\n\n');
    expect(merged.reviewDetail.commit).toBe(sb.git(repo, 'rev-parse', 'HEAD').trim());
    expect(existsSync(worktree)).toBe(false);
    expect(sb.git(repo, 'branch', '--list', branch).trim()).toBe('');
    expect((await sb.errand(['ls'])).stdout).toMatch(/1\s+succeeded.*\s+merged\s+Make two a capital/);
    expect((await sb.errand(['show', '1'])).stdout).toMatch(/review\s+merged: merged into main as [0-9a-f]{12} \(squash\)/);

    const again = await sb.errand(['approve', '1', '--merge']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Task 1 is already merged');
    expect(sb.git(repo, 'rev-parse', 'HEAD').trim()).toBe(merged.reviewDetail.commit);
  });

  it('on a conflict leaves the checkout byte-identical and marks the task conflict, offering to send it back', async () => {
    const { worktree } = await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'one\nagent two\nthree\n', 'edit', 'other.txt', 'more\n']);
    writeFileSync(join(repo, 'a.txt'), 'one\nperson two\nthree\n');
    sb.git(repo, 'commit', '-qam', 'the person changed the same line');
    writeFileSync(join(repo, 'scratch.txt'), 'an untracked file of the person\n');
    writeFileSync(join(repo, 'debug.log'), 'an ignored file\n');
    const before = checkoutState(sb, repo);

    const refused = await sb.errand(['approve', '1', '--merge', '--json']);
    expect(refused.code).toBe(1);
    const { error } = JSON.parse(refused.stdout);
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('conflicts in a.txt');
    expect(error.message).toContain('errand reject 1 "Rebase onto main and resolve the conflicts in a.txt"');
    expect(checkoutState(sb, repo)).toEqual(before);

    const { task } = await sb.json(['show', '1']);
    expect(task.review).toBe('conflict');
    expect(task.reviewDetail.conflictFiles).toEqual(['a.txt']);
    await watch.waitFor((e) => e.type === 'task.review' && e.taskId === 1 && e.review === 'conflict', 'the conflict event');
    // The agent's work is committed on its branch and still in its worktree.
    expect(existsSync(join(worktree, 'other.txt'))).toBe(true);
  });

  it('refuses to merge into a dirty base checkout, touching nothing (not even the worktree)', async () => {
    const { worktree } = await finishedTask(sb, watch, repo, 1, ['edit', 'new.txt', 'work\n']);
    writeFileSync(join(repo, 'a.txt'), 'the person is editing\n');
    const repoBefore = checkoutState(sb, repo);
    const worktreeBefore = checkoutState(sb, worktree);

    const refused = await sb.errand(['approve', '1', '--merge']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`main is checked out in ${repo}, which has uncommitted changes (a.txt), so nothing was merged`);
    expect(checkoutState(sb, repo)).toEqual(repoBefore);
    expect(checkoutState(sb, worktree)).toEqual(worktreeBefore);
    expect((await sb.json(['show', '1'])).task.review).toBe('unreviewed');
  });

  it('merges on top of a base that moved without conflict', async () => {
    await finishedTask(sb, watch, repo, 1, ['edit', 'new.txt', 'work\n']);
    writeFileSync(join(repo, 'c.txt'), 'the person moved main on\n');
    sb.git(repo, 'commit', '-qam', 'meanwhile on main');
    const moved = sb.git(repo, 'rev-parse', 'HEAD').trim();

    const merged = await sb.json(['approve', '1', '--merge']);
    expect(sb.git(repo, 'rev-parse', 'HEAD~1').trim()).toBe(moved);
    expect(sb.git(repo, 'rev-parse', 'HEAD').trim()).toBe(merged.reviewDetail.commit);
    expect(readFileSync(join(repo, 'c.txt'), 'utf8')).toBe('the person moved main on\n');
    expect(readFileSync(join(repo, 'new.txt'), 'utf8')).toBe('work\n');
  });

  it('moves a base that is checked out nowhere by compare-and-swap, leaving the checkout on its branch alone', async () => {
    await finishedTask(sb, watch, repo, 1, ['edit', 'new.txt', 'work\n']);
    sb.git(repo, 'checkout', '-qb', 'elsewhere');
    writeFileSync(join(repo, 'a.txt'), 'uncommitted on another branch\n');
    const before = checkoutState(sb, repo);
    const merged = await sb.json(['approve', '1', '--merge']);
    expect(sb.git(repo, 'rev-parse', 'main').trim()).toBe(merged.reviewDetail.commit);
    expect(sb.git(repo, 'show', 'main:new.txt')).toBe('work\n');
    expect(checkoutState(sb, repo)).toEqual(before);
  });

  it('follows the repo\'s merge strategy: merge keeps both parents, rebase replays onto a moved base', async () => {
    await sb.json(['repo', 'add', repo, '--merge-strategy', 'merge']);
    const one = await finishedTask(sb, watch, repo, 1, ['edit', 'one.txt', '1\n']);
    const tip = sb.git(one.worktree, 'rev-parse', 'HEAD').trim();
    const merged = await sb.json(['approve', '1', '--merge']);
    const parents = sb.git(repo, 'rev-list', '--parents', '-n1', merged.reviewDetail.commit).trim().split(' ');
    expect(parents).toHaveLength(3);
    expect(parents[2]).not.toBe(tip); // the worktree's work was committed on the branch first
    expect(sb.git(repo, 'show', 'main:one.txt')).toBe('1\n');

    await sb.json(['repo', 'add', repo, '--merge-strategy', 'rebase']);
    const two = await finishedTask(sb, watch, repo, 2, ['edit', 'two.txt', '2\n']);
    sb.git(two.worktree, 'add', '-A');
    sb.git(two.worktree, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'agent commit');
    writeFileSync(join(repo, 'c.txt'), 'moved\n');
    sb.git(repo, 'commit', '-qam', 'main moved');
    const moved = sb.git(repo, 'rev-parse', 'HEAD').trim();
    await sb.json(['approve', '2', '--merge']);
    expect(sb.git(repo, 'log', '--format=%s', `${moved}..main`).trim()).toBe('agent commit');
    expect(sb.git(repo, 'rev-list', '--merges', `${moved}..main`).trim()).toBe('');
    expect(sb.git(repo, 'show', 'main:two.txt')).toBe('2\n');
    expect(sb.git(repo, 'worktree', 'list', '--porcelain')).not.toContain('rebase-');
  });
});
