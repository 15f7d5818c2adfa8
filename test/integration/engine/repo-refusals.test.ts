// Repositories Errand cannot work in: refused when given, in the person's terms, with nothing stored, never an
// internal error.
import { readdirSync } from 'node:fs';
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

describe('repositories Errand refuses', () => {
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
    expect(readdirSync(sb.dataDir)).not.toContain('worktrees');
  });
});
