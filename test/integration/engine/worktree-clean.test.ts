import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

  it('keeps an edited copied .env and a new ignored results.log unless forced, but not unchanged copies', async () => {
    const repo = sb.repo('app', { 'README.md': 'hi\n', '.gitignore': '.env\n*.log\nnode_modules/\n' });
    writeFileSync(join(repo, '.env'), 'SECRET=1\n');
    mkdirSync(join(repo, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(repo, 'node_modules', 'dep', 'index.js'), 'installed in the checkout\n');
    // The setup command installs what the checkout also has (ignored, regenerable): that never blocks a clean.
    await sb.json(['repo', 'add', repo, '--copy', '.env', '--setup', 'mkdir -p node_modules/dep && echo installed > node_modules/dep/index.js']);
    await sb.fakeProfile('idle', ['say', 'nothing to change']);
    await sb.fakeProfile('env-editor', ['edit', '.env', 'SECRET=rotated by the agent\n']);
    await sb.fakeProfile('logger', ['edit', 'results.log', 'the measurements\n']);
    const worktrees: string[] = [];
    for (const [id, profile] of [[1, 'idle'], [2, 'env-editor'], [3, 'logger']] as const) {
      await sb.json(['add', `job ${id}`, '--repo', repo, '--profile', profile]);
      await watch.status(id, 'succeeded');
      worktrees.push((await sb.json(['show', String(id)])).runs[0].worktree);
    }

    const unchanged = await sb.json(['clean', '1']);
    expect(unchanged.removed[0]).toBe(worktrees[0]);
    expect(existsSync(worktrees[0]!)).toBe(false);

    for (const [id, file, content] of [[2, '.env', 'SECRET=rotated by the agent\n'], [3, 'results.log', 'the measurements\n']] as const) {
      const refused = await sb.errand(['clean', String(id), '--json']);
      expect(refused.code, refused.stderr).toBe(1);
      const { error } = JSON.parse(refused.stdout);
      expect(error.code).toBe('unsafe');
      expect(error.message).toContain(`1 file(s) git ignores, new or changed from the repo's copy (${file})`);
      expect(error.message).toContain('--force');
      expect(error.message).not.toContain('node_modules');
      expect(readFileSync(join(worktrees[id - 1]!, file), 'utf8')).toBe(content);

      expect((await sb.json(['clean', String(id), '--force'])).removed[0]).toBe(worktrees[id - 1]);
      expect(existsSync(worktrees[id - 1]!)).toBe(false);
    }
    expect(readFileSync(join(repo, '.env'), 'utf8')).toBe('SECRET=1\n');
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
