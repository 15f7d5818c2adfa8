import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

describe('the scheduler', () => {
  let sb: Sandbox;
  let watch: EventWatcher;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    await sb.fakeProfile('asker', ['ask', 'Go on? [y/N]']);
  });
  afterEach(async () => stopWatchedEngine({ sb, watch }));

  async function statusOf(id: number): Promise<{ status: string; waitReason: string | null }> {
    return (await sb.json(['show', String(id)])).task;
  }

  it('keeps to the global cap, says why a task waits, and starts by priority then first in', async () => {
    const repo = sb.repo();
    expect((await sb.json(['config', 'set', 'max-running', '2'])).maxRunning).toBe(2);
    for (const name of ['one', 'two', 'three']) await sb.json(['add', name, '--repo', repo, '--profile', 'asker']);
    await sb.json(['add', 'urgent', '--repo', repo, '--profile', 'asker', '--priority', '5']);
    await watch.status(1, 'running');
    await watch.status(2, 'running');
    expect(await statusOf(3)).toMatchObject({ status: 'queued', waitReason: 'global_cap' });
    expect(await statusOf(4)).toMatchObject({ status: 'queued', waitReason: 'global_cap' });
    expect((await sb.errand(['ls'])).stdout).toMatch(/3\s+queued \(waiting: global cap\)/);
    const running = await sb.json(['ls', '--status', 'running']);
    expect(running.tasks.map((t: { id: number }) => t.id).sort()).toEqual([1, 2]);

    await sb.json(['send', '1', 'y']);
    await watch.status(1, 'succeeded');
    await watch.status(4, 'running');
    expect(await statusOf(3)).toMatchObject({ status: 'queued', waitReason: 'global_cap' });

    await sb.json(['config', 'set', 'max-running', '3']);
    await watch.status(3, 'running');
  });

  it('keeps to a repo cap without holding back other repos', async () => {
    const capped = sb.repo('capped');
    const free = sb.repo('free');
    await sb.json(['repo', 'add', capped, '--max-running', '1']);
    await sb.json(['add', 'a', '--repo', capped, '--profile', 'asker']);
    await sb.json(['add', 'b', '--repo', capped, '--profile', 'asker']);
    await sb.json(['add', 'c', '--repo', free, '--profile', 'asker']);
    await watch.status(1, 'running');
    await watch.status(3, 'running');
    expect(await statusOf(2)).toMatchObject({ status: 'queued', waitReason: 'repo_cap' });
    await sb.json(['cancel', '1']);
    await watch.status(1, 'cancelled');
    await watch.status(2, 'running');
  });
});
