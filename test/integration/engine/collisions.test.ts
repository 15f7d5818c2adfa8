// Collisions over real repositories: open tasks touching the same files are flagged in ls, show and review, and after
// a merge the other open branches are tested against the new base (objects only), the conflicting one marked.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { checkoutState, finishedTask } from '../../support/review-helpers.js';
import { Sandbox } from '../../support/sandbox.js';

const FILES = { 'a.txt': 'one\ntwo\nthree\n', 'b.txt': 'bee\n', 'c.txt': 'sea\n' };

describe('collisions', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo('app', FILES);
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  const collided = (taskId: number, other: number) =>
    watch.waitFor((e) => e.type === 'task.collisions' && e.taskId === taskId && e.overlaps.some((o) => o.taskId === other), `task ${taskId} flagged with ${other}`);

  it('flags two open tasks that touch the same file in ls, show and review, and not a third', async () => {
    await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'one\nTWO\nthree\n', 'edit', 'b.txt', 'BEE\n']);
    await finishedTask(sb, watch, repo, 2, ['edit', 'a.txt', 'one\ntwo\nTHREE\n']);
    await finishedTask(sb, watch, repo, 3, ['edit', 'c.txt', 'SEA\n']);
    await collided(1, 2);
    await collided(2, 1);

    const listed = await sb.json(['ls']);
    expect(listed.collisions).toEqual([
      { taskId: 2, overlaps: [{ taskId: 1, files: ['a.txt'] }] },
      { taskId: 1, overlaps: [{ taskId: 2, files: ['a.txt'] }] },
    ]);
    const ls = (await sb.errand(['ls'])).stdout;
    expect(ls).toContain('task 2 touches a.txt like task 1');
    expect(ls).not.toMatch(/task 3 touches/);
    expect((await sb.errand(['show', '1'])).stdout).toMatch(/overlap touches a\.txt like task 2/);
    expect((await sb.json(['show', '3'])).overlaps).toEqual([]);
    const review = await sb.json(['review', '1']);
    expect(review.overlaps).toEqual([{ taskId: 2, files: ['a.txt'] }]);
    expect((await sb.errand(['review', '2'])).stdout).toMatch(/overlap\s+touches a\.txt like task 1/);

    // Once task 2 is discarded, task 1 collides with nothing, and clients are told.
    await sb.json(['discard', '2', '--yes', '--force']);
    await watch.waitFor((e) => e.type === 'task.collisions' && e.taskId === 1 && e.overlaps.length === 0, 'task 1 no longer flagged');
    expect((await sb.json(['review', '1'])).overlaps).toEqual([]);
  });

  it('after a merge, marks the open branch that no longer merges as conflict, touching no checkout; rebase sends it back', async () => {
    await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'one\nfirst agent\nthree\n']);
    const second = await finishedTask(sb, watch, repo, 2, ['edit', 'a.txt', 'one\nsecond agent\nthree\n', 'edit', 'd.txt', 'dee\n']);
    const third = await finishedTask(sb, watch, repo, 3, ['edit', 'c.txt', 'SEA\n']);
    await collided(2, 1);
    const secondBefore = checkoutState(sb, second.worktree);
    const thirdBefore = checkoutState(sb, third.worktree);

    const merged = await sb.json(['approve', '1', '--merge']);
    const check = await watch.waitFor<any>((e) => e.type === 'review.mergeCheck', 'the merge check');
    expect(check.base).toBe(merged.reviewDetail.commit);
    expect(check.checked).toBe(2);
    expect(check.conflicts).toEqual([2]);
    const marked = await watch.waitFor<any>((e) => e.type === 'task.review' && e.taskId === 2 && e.review === 'conflict', 'task 2 in conflict');
    expect(marked.detail.conflictFiles).toEqual(['a.txt']);
    expect(marked.detail.message).toContain('errand rebase 2');
    const attention = await watch.waitFor<any>((e) => e.type === 'attention' && e.kind === 'conflict', 'the attention item');
    expect(attention).toMatchObject({ taskId: 2, message: expect.stringContaining('no longer merges into it: conflicts in a.txt') });

    // The merge check read the worktrees and wrote objects only: both are exactly as their agents left them.
    expect(checkoutState(sb, second.worktree)).toEqual(secondBefore);
    expect(checkoutState(sb, third.worktree)).toEqual(thirdBefore);
    expect(sb.git(repo, 'status', '--porcelain')).toBe('');
    expect((await sb.json(['show', '3'])).task.review).toBe('unreviewed');
    expect((await sb.errand(['ls'])).stdout).toMatch(/2\s+succeeded.*\s+conflict\s+/);

    const notInConflict = await sb.errand(['rebase', '3']);
    expect(notInConflict.code).toBe(1);
    expect(notInConflict.stderr).toContain('not in conflict with its base');

    const sent = await sb.json(['rebase', '2']);
    expect(sent.review).toBe('changes_requested');
    const { runs } = await sb.json(['show', '2']);
    expect(runs).toHaveLength(2);
    expect(runs[1].message).toContain('rebase it onto main');
    expect(runs[1].message).toContain('conflicts are in a.txt');
    await watch.ended(runs[1].id);
  });

  it('clears a conflict the base moving caused once the base no longer conflicts', async () => {
    await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'one\nfirst agent\nthree\n']);
    await finishedTask(sb, watch, repo, 2, ['edit', 'a.txt', 'one\nsecond agent\nthree\n']);
    await sb.json(['approve', '1', '--merge']);
    await watch.waitFor((e) => e.type === 'task.review' && e.taskId === 2 && e.review === 'conflict', 'task 2 in conflict');
    // The person takes task 1's change back out by hand and a third task merges: task 2 applies again.
    writeFileSync(join(repo, 'a.txt'), FILES['a.txt']);
    sb.git(repo, 'commit', '-qam', 'the person reverted it');
    await finishedTask(sb, watch, repo, 3, ['edit', 'c.txt', 'SEA\n']);
    await sb.json(['approve', '3', '--merge']);
    const checks = () => watch.events.filter((e) => e.type === 'review.mergeCheck');
    await watch.waitFor(() => checks().length === 2, 'the second merge check');
    expect(checks()[1]).toMatchObject({ checked: 1, conflicts: [] });
    const { task } = await sb.json(['show', '2']);
    expect(task.review).toBe('unreviewed');
    expect(watch.events.filter((e) => e.type === 'task.review' && e.taskId === 2).map((e: any) => e.review)).toEqual(['unreviewed', 'conflict', 'unreviewed']);
  });
});
