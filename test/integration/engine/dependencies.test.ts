// --after and --after-merge: a task waits (a start gate, its reason in words) until its prerequisites, in any repo,
// have succeeded or been merged; a nonexistent prerequisite or a cycle is refused; a failed one leaves it waiting.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import type { Sandbox } from '../../support/sandbox.js';

describe('dependencies', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repoA: string;
  let repoB: string;
  let goAhead: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repoA = sb.repo('a', { 'a.txt': 'one\n' });
    repoB = sb.repo('b');
    goAhead = join(sb.root, 'go-ahead');
    await sb.fakeProfile('slow', ['wait-file', goAhead, 'edit', 'a.txt', 'two\n']);
    await sb.fakeProfile('quick', ['say', 'done']);
    await sb.fakeProfile('fails', ['wait-file', goAhead, 'exit', '2']);
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  const show = async (id: number) => (await sb.json(['show', String(id)])).task;

  it('--after waits for the prerequisite (in another repo) to succeed, saying so, then starts', async () => {
    await sb.json(['add', 'prepare', '--repo', repoA, '--profile', 'slow']);
    await watch.status(1, 'running');
    const waiting = await sb.json(['add', 'follow up', '--repo', repoB, '--profile', 'quick', '--after', '1']);
    expect(waiting).toMatchObject({ status: 'queued', waitReason: 'dependency', waitDetail: 'task 1 to succeed' });
    expect((await sb.errand(['ls'])).stdout).toMatch(/queued \(waiting: task 1 to succeed\)/);
    expect(watch.events.some((e) => e.type === 'run.status' && e.taskId === 2)).toBe(false);

    writeFileSync(goAhead, '');
    await watch.status(1, 'succeeded');
    const satisfied = await watch.waitFor((e) => e.type === 'dependency.satisfied' && e.taskId === 2, 'the dependency satisfied');
    expect(satisfied).toMatchObject({ prereqId: 1, needs: 'success', remaining: 0 });
    await watch.status(2, 'succeeded');
    const i = (test: (e: any) => boolean) => watch.events.findIndex(test);
    expect(i((e) => e.type === 'run.status' && e.taskId === 1 && e.status === 'succeeded')).toBeLessThan(
      i((e) => e.type === 'run.status' && e.taskId === 2 && e.status === 'running'),
    );
  });

  it('--after-merge waits until the prerequisite is merged, not merely succeeded; both kinds repeat', async () => {
    await sb.json(['add', 'change a', '--repo', repoA, '--profile', 'slow']);
    await sb.json(['add', 'quick one', '--repo', repoB, '--profile', 'quick']);
    await watch.status(2, 'succeeded');
    const waiting = await sb.json(['add', 'after both', '--repo', repoA, '--profile', 'quick', '--after-merge', '1', '--after', '2']);
    expect(waiting.waitDetail).toBe('task 1 to be merged');
    writeFileSync(goAhead, '');
    await watch.waitFor((e) => e.type === 'task.review' && e.taskId === 1 && e.review === 'unreviewed', 'task 1 unreviewed');
    // A pass after the success: still waiting, for the merge.
    await sb.json(['config', 'set', 'max-running', '4']);
    expect(await show(3)).toMatchObject({ status: 'queued', waitDetail: 'task 1 to be merged' });

    await sb.json(['approve', '1', '--merge']);
    await watch.waitFor((e) => e.type === 'dependency.satisfied' && e.taskId === 3 && e.prereqId === 1, 'the merge dependency');
    await watch.status(3, 'succeeded');
    const { runs } = await sb.json(['show', '3']);
    // It started from a base that holds the merged change.
    expect(sb.git(runs[0].worktree, 'show', 'HEAD:a.txt')).toBe('two\n');
  });

  it('what a task waits for survives an engine restart', async () => {
    writeFileSync(goAhead, '');
    await sb.json(['add', 'change a', '--repo', repoA, '--profile', 'slow']);
    await watch.waitFor((e) => e.type === 'task.review' && e.taskId === 1 && e.review === 'unreviewed', 'task 1 unreviewed');
    await sb.json(['add', 'after the merge', '--repo', repoB, '--profile', 'quick', '--after-merge', '1']);
    watch.stop();
    await sb.errand(['daemon', 'stop']);
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
    expect(await show(2)).toMatchObject({ status: 'queued', waitDetail: 'task 1 to be merged' });
    await sb.json(['approve', '1', '--merge']);
    await watch.status(2, 'succeeded');
    expect(watch.events.filter((e) => e.type === 'dependency.satisfied' && e.taskId === 2)).toHaveLength(1);
  });

  it('a failed prerequisite leaves the dependent waiting, with the reason and what to do', async () => {
    await sb.json(['add', 'doomed', '--repo', repoA, '--profile', 'fails']);
    await sb.json(['add', 'dependent', '--repo', repoB, '--profile', 'quick', '--after', '1']);
    writeFileSync(goAhead, '');
    await watch.status(1, 'failed');
    const blocked = await watch.waitFor((e) => e.type === 'dependency.blocked' && e.taskId === 2, 'the dependency blocked');
    expect(blocked).toMatchObject({ prereqId: 1, reason: 'task 1 failed: retry it or cancel this one' });
    expect(await show(2)).toMatchObject({ status: 'queued', waitDetail: 'task 1 failed: retry it or cancel this one' });
    expect((await sb.errand(['show', '2'])).stdout).toMatch(/queued \(waiting: task 1 failed: retry it or cancel this one\)/);
    expect(watch.events.filter((e) => e.type === 'dependency.blocked')).toHaveLength(1);
    await sb.json(['cancel', '2']);
    expect((await show(2)).status).toBe('cancelled');
  });

  it('refuses a prerequisite that does not exist, filing nothing', async () => {
    await sb.json(['add', 'real', '--repo', repoA, '--profile', 'quick']);
    const refused = await sb.errand(['add', 'ghost', '--repo', repoA, '--profile', 'quick', '--after', '1', '--after-merge', '99', '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/no task 99 to wait for; nothing was filed/) });
    expect((await sb.json(['ls'])).total).toBe(1);
    const bestOf = await sb.errand(['add', 'ghost', '--repo', repoA, '--best-of', 'quick,slow', '--after', '99']);
    expect(bestOf.stderr).toMatch(/no task 99 to wait for/);
    expect((await sb.json(['ls'])).total).toBe(1);
    expect((await sb.json(['batch', 'ls'])).groups).toEqual([]);
    expect((await sb.errand(['after', '99', '1'])).stderr).toMatch(/There is no task 99\./);
  });

  it('refuses a cycle (direct or through others) and waiting for itself, changing nothing', async () => {
    await sb.json(['add', 'blocker', '--repo', repoA, '--profile', 'slow']);
    await sb.json(['add', 'two', '--repo', repoA, '--profile', 'quick', '--after', '1']);
    await sb.json(['add', 'three', '--repo', repoB, '--profile', 'quick', '--after', '2']);
    await sb.json(['add', 'four', '--repo', repoB, '--profile', 'quick', '--after-merge', '3']);

    const direct = await sb.errand(['after', '2', '3', '--json']);
    expect(direct.code).toBe(1);
    expect(JSON.parse(direct.stdout).error).toMatchObject({
      code: 'conflict',
      message: 'Task 2 cannot wait for task 3: task 3 already waits for task 2 (3 → 2), so neither would ever start. Nothing was changed.',
    });
    const through = await sb.errand(['after', '2', '4']);
    expect(through.stderr).toMatch(/task 4 already waits for task 2 \(4 → 3 → 2\)/);
    expect((await sb.errand(['after', '3', '3'])).stderr).toMatch(/cannot wait for itself/);
    expect((await sb.errand(['after', '1', '4'])).stderr).toMatch(/Task 1 is running: only a task that has not started/);

    // Still what it was: 2 waits for 1 only; a new, acyclic wait is taken.
    expect((await show(2)).waitDetail).toBe('task 1 to succeed');
    const added = await sb.json(['after', '4', '2', '--merge']);
    expect(added.dependencies.map((d: any) => [d.prereqId, d.needs])).toEqual([
      [2, 'merge'],
      [3, 'merge'],
    ]);
    expect(added.task.waitDetail).toBe('task 2 to be merged; task 3 to be merged');
  });
});
