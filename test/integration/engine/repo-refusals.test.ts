// Repositories Errand cannot work in, and refs that are not branches: refused when given, in the person's terms,
// with nothing stored, never an internal error or a run that fails later with git's words.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

/** Runs an errand command with --json that must fail, and returns its error. */
async function refused(sb: Sandbox, args: string[]): Promise<{ code: string; message: string }> {
  const result = await sb.errand([...args, '--json']);
  expect(result.code, `${args.join(' ')}: ${result.stdout}`).toBe(1);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  return JSON.parse(result.stdout).error;
}

describe('repositories and refs Errand refuses', () => {
  let sb: Sandbox;
  let watch: EventWatcher;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    await sb.fakeProfile('quiet', ['say', 'done']);
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  const stored = async () => ({ repos: await sb.json(['repo', 'ls']), tasks: (await sb.json(['ls'])).total });

  it('refuses a bare repository and a path inside .git as repo_invalid, saying what to give instead', async () => {
    const repo = sb.repo();
    const bare = join(sb.root, 'bare.git');
    sb.git(sb.root, 'clone', '-q', '--bare', repo, bare);
    const insideGit = join(repo, '.git', 'refs');

    for (const args of [['add', 'x', '--repo', bare, '--profile', 'quiet'], ['repo', 'add', bare]]) {
      const error = await refused(sb, args);
      expect(error.code).toBe('repo_invalid');
      expect(error.message).toContain(`${bare} is a bare repository`);
      expect(error.message).toMatch(/git clone .*give the clone's folder, or give a checkout of it/);
    }
    for (const args of [['add', 'x', '--repo', insideGit, '--profile', 'quiet'], ['repo', 'add', insideGit]]) {
      const error = await refused(sb, args);
      expect(error.code).toBe('repo_invalid');
      expect(error.message).toContain(`${insideGit} is inside a repository's .git folder`);
      expect(error.message).toContain(`Give the repository's own folder: ${repo}.`);
    }
    expect(await stored()).toEqual({ repos: [], tasks: 0 });
    // The engine makes worktrees/ itself at start (owner-only); a refused repo gets no folder in it.
    expect(readdirSync(join(sb.dataDir, 'worktrees'))).toEqual([]);
  });

  it('refuses a base that is an option, not a branch name, or not a branch of the repo, keeping what was stored', async () => {
    const repo = sb.repo();
    sb.git(repo, 'tag', 'v1');
    for (const base of ['--detach', '-b', 'main..v1', '@{-1}', 'HEAD~1']) {
      const error = await refused(sb, ['repo', 'add', repo, `--base=${base}`]);
      expect(error.code, base).toBe('invalid_params');
      expect(error.message).toContain(`"${base}" is not a branch name git accepts`);
    }
    for (const base of ['no-such-branch', 'v1']) {
      const error = await refused(sb, ['repo', 'add', repo, '--base', base]);
      expect(error.code, base).toBe('repo_invalid');
      expect(error.message).toContain(`There is no branch "${base}" in ${repo}`);
    }
    expect(await stored()).toEqual({ repos: [], tasks: 0 });

    const saved = await sb.json(['repo', 'add', repo, '--base', 'main', '--setup', 'true']);
    expect((await refused(sb, ['repo', 'add', repo, '--base=--detach'])).code).toBe('invalid_params');
    expect(await sb.json(['repo', 'ls'])).toEqual([saved]);
  });

  it('fails a task whose base branch was deleted after the repo was added, saying how to set another', async () => {
    const repo = sb.repo();
    sb.git(repo, 'branch', 'feature');
    await sb.json(['repo', 'add', repo, '--base', 'feature']);
    sb.git(repo, 'branch', '-D', 'feature');
    await sb.json(['add', 'x', '--repo', repo, '--profile', 'quiet']);
    const failed = await watch.status(1, 'failed');
    expect(failed.reason).toContain(`The base branch "feature" is not in ${repo} any more`);
    expect(failed.reason).toContain(`errand repo add ${repo} --base <branch>`);
  });

  it('works in a repository whose folder name starts with a dash (the engine only ever sees absolute paths)', async () => {
    const repo = sb.repo('-app');
    await sb.json(['add', 'x', '--repo=-app', '--profile', 'quiet']);
    await watch.status(1, 'succeeded');
    const run = (await sb.json(['show', '1'])).runs[0];
    expect(run.worktree).toMatch(/\/worktrees\/-app-[0-9a-f]{8}\/1-x/);
    expect(existsSync(join(run.worktree, 'README.md'))).toBe(true);
    expect(sb.git(repo, 'worktree', 'list', '--porcelain')).toContain(`worktree ${run.worktree}`);
    expect((await sb.json(['clean', '1'])).removed).toEqual([run.worktree, run.branch]);
    expect(sb.git(repo, 'worktree', 'list', '--porcelain')).not.toContain(run.worktree);
  });
});
