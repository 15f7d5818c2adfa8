// The inbox ranks what needs the person by the work waiting on it (dependent tasks, chain steps), then by age.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import type { Sandbox } from '../../support/sandbox.js';

describe('inbox ranking by blocked work', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
    await sb.fakeProfile('fails', ['exit', '2']);
    await sb.fakeProfile('fails-later', ['wait-file', join(sb.root, 'go'), 'exit', '2']);
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it('a failure that two tasks wait on comes before an older one nothing waits on, and says how much it blocks', async () => {
    await sb.json(['add', 'older failure', '--repo', repo, '--profile', 'fails']);
    await watch.status(1, 'failed');
    await sb.json(['add', 'blocking failure', '--repo', repo, '--profile', 'fails-later']);
    await watch.status(2, 'running');
    await sb.json(['add', 'needs 2 (a)', '--repo', repo, '--profile', 'fails', '--after', '2']);
    await sb.json(['add', 'needs 2 (b)', '--repo', repo, '--profile', 'fails', '--after', '2']);
    writeFileSync(join(sb.root, 'go'), '');
    await watch.status(2, 'failed');
    await watch.waitFor((e) => e.type === 'inbox.added' && e.item?.taskId === 2, 'an inbox item for task 2');

    const { items } = await sb.json(['inbox', '--peek']);
    const order = items.map((i: { taskId: number }) => i.taskId);
    expect(order.indexOf(2)).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(2)).toBeLessThan(order.indexOf(1));
    expect(items.find((i: { taskId: number }) => i.taskId === 2).blocked).toBe(2);
    expect(items.find((i: { taskId: number }) => i.taskId === 1).blocked).toBe(0);
  }, 60_000);
});
