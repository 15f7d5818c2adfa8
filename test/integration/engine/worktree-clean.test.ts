import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

describe('removing a worktree', () => {
  let sb: Sandbox;
  let watch: EventWatcher;

  beforeEach(async () => ({ sb, watch } = await startWatchedEngine()));
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it('never loses uncommitted or unmerged work without --force', async () => {
    const repo = sb.repo();
    await sb.fakeProfile('editor', ['edit', 'new.txt', 'work']);
    await sb.json(['add', 'make a file', '--repo', repo, '--profile', 'editor']);
    await watch.status(1, 'succeeded');
    const { runs } = await sb.json(['show', '1']);
    const { worktree, branch } = runs[0];

    const dirty = await sb.errand(['clean', '1']);
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toMatch(/uncommitted change/);
    expect(dirty.stderr).toMatch(/--force/);
    expect(existsSync(worktree)).toBe(true);

    sb.git(worktree, 'add', '-A');
    sb.git(worktree, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'agent work');
    const unmerged = await sb.errand(['clean', '1']);
    expect(unmerged.code).toBe(1);
    expect(unmerged.stderr).toContain(`1 commit(s) on ${branch} not merged into main`);
    expect(existsSync(worktree)).toBe(true);

    const forced = await sb.json(['clean', '1', '--force']);
    expect(forced.removed).toEqual([worktree, branch]);
    expect(existsSync(worktree)).toBe(false);
    expect(sb.git(repo, 'branch', '--list', branch).trim()).toBe('');
  });

  it('removes a worktree with nothing to lose, and refuses while the run is live', async () => {
    const repo = sb.repo();
    await sb.fakeProfile('asker', ['ask', 'ok?']);
    await sb.json(['add', 'look only', '--repo', repo, '--profile', 'asker']);
    await watch.status(1, 'running');
    const live = await sb.errand(['clean', '1']);
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(/cancel it/);
    await sb.json(['send', '1', 'y']);
    await watch.status(1, 'succeeded');
    const { runs } = await sb.json(['show', '1']);
    expect((await sb.json(['clean', '1'])).removed).toEqual([runs[0].worktree, runs[0].branch]);
  });
});
