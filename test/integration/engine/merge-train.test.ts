// The merge train over real repositories: `errand approve A B C… --merge` merges in an order drawn from overlap; each
// branch the base has moved past is rebased in its own worktree and re-checked; one that no longer applies, or whose
// check fails, goes back to its agent; the person's checkout is touched only by the merges.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { finishedTask } from '../../support/review-helpers.js';
import { Sandbox } from '../../support/sandbox.js';

const FILES = { 'a.txt': 'one\ntwo\nthree\n', 'c.txt': 'sea\n' };

describe('the merge train', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo('app', FILES);
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it('merges five, sends back the one that conflicts after the first merges and the one whose check fails after its rebase', async () => {
    // The check passes for each branch alone, and fails where x.txt and y.txt meet.
    await sb.json(['repo', 'add', repo, '--check', 'if [ -f x.txt ] && [ -f y.txt ]; then echo x and y clash; exit 1; fi']);
    await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'one\nfirst\nthree\n'], 'first edit of a');
    await finishedTask(sb, watch, repo, 2, ['edit', 'a.txt', 'one\nsecond\nthree\n'], 'second edit of a');
    await finishedTask(sb, watch, repo, 3, ['edit', 'x.txt', 'x\n'], 'add x');
    await finishedTask(sb, watch, repo, 4, ['edit', 'y.txt', 'y\n'], 'add y');
    await finishedTask(sb, watch, repo, 5, ['edit', 'c.txt', 'SEA\n'], 'edit c');
    const reflogBefore = sb.git(repo, 'reflog', 'HEAD').trim().split('\n').length;

    const result = await sb.errand(['approve', '1', '2', '3', '4', '5', '--merge', '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('2 of 5 task(s) were not merged: 4, 2');
    const train = JSON.parse(result.stdout);
    // Fewest overlaps first: 1 and 2 share a.txt, so they go last.
    expect(train.items.map((i: any) => [i.taskId, i.state])).toEqual([[3, 'merged'], [4, 'sent_back'], [5, 'merged'], [1, 'merged'], [2, 'sent_back']]);
    expect(train.status).toBe('done');
    const byId = Object.fromEntries(train.items.map((i: any) => [i.taskId, i]));
    expect(byId[4].message).toBe('the check failed after the rebase: if [ -f x.txt ] && [ -f y.txt ]; then echo x and y clash; exit 1; fi (exit 1); sent back to its agent');
    expect(byId[4].check).toMatchObject({ passed: false, exitCode: 1 });
    expect(byId[4].check.outputTail).toContain('x and y clash');
    expect(byId[2].message).toBe('it no longer applies onto main: conflicts in a.txt; sent back to its agent');
    // Task 5 was rebased and re-checked before it merged; task 3 was on top of the base already.
    expect(byId[5].check).toMatchObject({ passed: true });
    expect(byId[3].check).toBeNull();

    // The base holds the three merges, and the person's checkout moved only for them and is clean.
    expect(sb.git(repo, 'log', '--format=%s', 'main').trim().split('\n')).toEqual(['first edit of a', 'edit c', 'add x', 'initial']);
    expect(sb.git(repo, 'status', '--porcelain')).toBe('');
    expect(sb.git(repo, 'reflog', 'HEAD').trim().split('\n').length).toBe(reflogBefore + 3);

    // The two sent back got follow-up runs with the reason; the events told the story.
    for (const [id, words] of [[4, 'rebased onto main'], [2, 'conflicts are in a.txt']] as const) {
      const { task, runs } = await sb.json(['show', String(id)]);
      expect(runs).toHaveLength(2);
      expect(runs[1].message).toContain(words);
      expect(['changes_requested', 'unreviewed', null]).toContain(task.review);
      await watch.ended(runs[1].id);
    }
    expect(watch.events.some((e) => e.type === 'train.started')).toBe(true);
    const steps = watch.events.filter((e: any) => e.type === 'train.step' && e.taskId === 5).map((e: any) => e.train.items.find((i: any) => i.taskId === 5).state);
    expect(steps).toEqual(['rebasing', 'checking', 'checking', 'merging', 'merged']);
    expect((await sb.errand(['train', String(train.id)])).stdout).toContain(`merge train ${train.id}: done, 3 of 5 merged`);
  });

  it('refuses a train with a task that cannot be approved, or across repos, starting nothing', async () => {
    await finishedTask(sb, watch, repo, 1, ['edit', 'x.txt', 'x\n']);
    const other = sb.repo('other', FILES);
    await finishedTask(sb, watch, other, 2, ['edit', 'y.txt', 'y\n']);
    await sb.fakeProfile('fails', ['exit', '3']);
    await sb.json(['add', 'this fails', '--repo', repo, '--profile', 'fails']);
    await watch.status(3, 'failed');

    const across = await sb.errand(['approve', '1', '2', '--merge']);
    expect(across.code).toBe(1);
    expect(across.stderr).toContain('in different repos');
    const failed = await sb.errand(['approve', '1', '3', '--merge']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Task 3 is failed: only a task whose run succeeded can be approved');
    const notMerge = await sb.errand(['approve', '1', '3', '--pr']);
    expect(notMerge.code).toBe(2);
    expect((await sb.json(['train'])).length).toBe(0);
    expect((await sb.json(['show', '1'])).task.review).toBe('unreviewed');
  });

  it('a train the engine stops in the middle leaves the checkout clean and goes on after the restart', async () => {
    const hold = join(sb.root, 'hold');
    await sb.json(['repo', 'add', repo, '--check', `while [ -f '${hold}' ]; do sleep 0.05; done; echo checked`]);
    await finishedTask(sb, watch, repo, 1, ['edit', 'x.txt', 'x\n'], 'add x');
    await finishedTask(sb, watch, repo, 2, ['edit', 'y.txt', 'y\n'], 'add y');
    await finishedTask(sb, watch, repo, 3, ['edit', 'z.txt', 'z\n'], 'add z');
    writeFileSync(hold, '');

    const approving = sb.errand(['approve', '1', '2', '3', '--merge']);
    const checking = await watch.waitFor<any>((e: any) => e.type === 'train.step' && e.taskId === 2 && e.train.items[1].state === 'checking' && !e.train.items[1].check, 'task 2 checking');
    const trainId = checking.train.id;
    await sb.json(['daemon', 'stop']);
    const cli = await approving;
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`the train goes on when the engine starts again: errand train ${trainId}`);
    // Stopped between merges: task 1 is in, the checkout is clean, the train is stored where it stood.
    expect(sb.git(repo, 'log', '--format=%s', 'main').trim().split('\n')).toEqual(['add x', 'initial']);
    expect(sb.git(repo, 'status', '--porcelain')).toBe('');
    watch.stop();

    await sb.json(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
    const stored = await sb.json(['train', String(trainId)]);
    expect(stored.status).toBe('running');
    expect(stored.items.map((i: any) => i.state)).toEqual(['merged', 'checking', 'waiting']);
    rmSync(hold);
    const ended = await watch.waitFor<any>((e) => e.type === 'train.ended' && e.train.id === trainId, 'the train to end');
    expect(ended.train.items.map((i: any) => [i.taskId, i.state])).toEqual([[1, 'merged'], [2, 'merged'], [3, 'merged']]);
    expect(ended.train.items[1].check).toMatchObject({ passed: true });
    expect(sb.git(repo, 'log', '--format=%s', 'main').trim().split('\n')).toEqual(['add z', 'add y', 'add x', 'initial']);
    expect(sb.git(repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(repo, 'z.txt'))).toBe(true);
  });

  it('a train whose engine is killed (SIGKILL) during a check leaves the checkout clean and goes on when the engine is back', async () => {
    const hold = join(sb.root, 'hold');
    await sb.json(['repo', 'add', repo, '--check', `while [ -f '${hold}' ]; do sleep 0.05; done; echo checked`]);
    await finishedTask(sb, watch, repo, 1, ['edit', 'x.txt', 'x\n'], 'add x');
    await finishedTask(sb, watch, repo, 2, ['edit', 'y.txt', 'y\n'], 'add y');
    writeFileSync(hold, '');
    const approving = sb.errand(['approve', '1', '2', '--merge']);
    const checking = await watch.waitFor<any>((e: any) => e.type === 'train.step' && e.taskId === 2 && e.train.items[1].state === 'checking', 'task 2 checking');
    const daemon = await sb.json(['daemon', 'status']);
    process.kill(daemon.pid, 'SIGKILL');
    expect((await approving).code).toBe(1);
    watch.stop();
    expect(sb.git(repo, 'log', '--format=%s', 'main').trim().split('\n')).toEqual(['add x', 'initial']);
    expect(sb.git(repo, 'status', '--porcelain')).toBe('');

    watch = await EventWatcher.start(sb);
    rmSync(hold);
    const ended = await watch.waitFor<any>((e) => e.type === 'train.ended' && e.train.id === checking.train.id, 'the train to end');
    expect(ended.train.items.map((i: any) => i.state)).toEqual(['merged', 'merged']);
    expect(sb.git(repo, 'log', '--format=%s', 'main').trim().split('\n')).toEqual(['add y', 'add x', 'initial']);
    expect(sb.git(repo, 'status', '--porcelain')).toBe('');
  });
});
