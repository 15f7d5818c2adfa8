// What review must leave out or keep: copies of the person's own files, ignored files that exist nowhere else, and
// a rebase that does not apply.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { checkoutState, finishedTask } from '../../support/review-helpers.js';
import { Sandbox } from '../../support/sandbox.js';

describe('review edges', () => {
  let sb: Sandbox;
  let watch: EventWatcher;

  beforeEach(async () => ({ sb, watch } = await startWatchedEngine()));
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it("keeps the person's untracked agent configuration, copied into the worktree, out of the diff and the merge", async () => {
    const repo = sb.repo('app', { 'a.txt': 'one\n' });
    writeFileSync(join(repo, '.mcp.json'), '{"mcpServers":{}}\n');
    const { worktree } = await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'two\n']);
    expect(existsSync(join(worktree, '.mcp.json'))).toBe(true);

    const review = await sb.json(['review', '1']);
    expect(review.files.map((f: any) => f.path)).toEqual(['a.txt']);
    await sb.json(['approve', '1', '--merge']);
    expect(sb.git(repo, 'ls-tree', '-r', '--name-only', 'main').split('\n').filter(Boolean).sort()).toEqual(['a.txt']);
    expect(readFileSync(join(repo, '.mcp.json'), 'utf8')).toBe('{"mcpServers":{}}\n');
  });

  it('merges, but keeps a worktree that holds an edited ignored file, and says so', async () => {
    const repo = sb.repo('app', { 'a.txt': 'one\n', '.gitignore': '.env\n' });
    writeFileSync(join(repo, '.env'), 'SECRET=1\n');
    await sb.json(['repo', 'add', repo, '--copy', '.env']);
    const { worktree, branch } = await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'two\n', 'edit', '.env', 'SECRET=rotated\n']);
    const merged = await sb.json(['approve', '1', '--merge']);
    expect(merged.review).toBe('merged');
    expect(merged.reviewDetail.message).toContain(`worktree ${worktree} kept: it holds files that exist nowhere else (.env)`);
    expect(readFileSync(join(worktree, '.env'), 'utf8')).toBe('SECRET=rotated\n');
    expect(sb.git(repo, 'show', 'main:a.txt')).toBe('two\n');
    expect(sb.git(repo, 'branch', '--list', '--format=%(refname:short)', branch).trim()).toBe(branch);
  });

  it('a rebase that does not apply is a conflict: nothing moves, and no helper worktree is left', async () => {
    const repo = sb.repo('app', { 'a.txt': 'one\ntwo\nthree\n' });
    await sb.json(['repo', 'add', repo, '--merge-strategy', 'rebase']);
    await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'one\nagent\nthree\n']);
    writeFileSync(join(repo, 'a.txt'), 'one\nperson\nthree\n');
    sb.git(repo, 'commit', '-qam', 'the same line on main');
    const before = checkoutState(sb, repo);
    const refused = await sb.errand(['approve', '1', '--merge']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('conflicts in a.txt');
    expect(checkoutState(sb, repo)).toEqual(before);
    expect((await sb.json(['show', '1'])).task.review).toBe('conflict');
    expect(sb.git(repo, 'worktree', 'list', '--porcelain')).not.toContain('rebase-');
  });

  it("refuses to approve a worktree the agent switched to another branch, committing nothing", async () => {
    const repo = sb.repo('app', { 'a.txt': 'one\n' });
    const { worktree, branch } = await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'two\n']);
    sb.git(worktree, 'switch', '-q', '-c', 'the-agents-own');
    const before = checkoutState(sb, worktree);
    const refused = await sb.errand(['approve', '1', '--keep-branch']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is on the-agents-own, not on the task's branch ${branch}, so nothing was committed`);
    expect(checkoutState(sb, worktree)).toEqual(before);
  });

  it("carries the repo's check on the result: passed, or failed with its output", async () => {
    const repo = sb.repo('app', { 'a.txt': 'one\n' });
    await sb.json(['repo', 'add', repo, '--check', 'test -f ok.txt || { echo "ok.txt is missing"; exit 1; }']);
    await finishedTask(sb, watch, repo, 1, ['edit', 'ok.txt', 'fine\n']);
    const passed = await sb.json(['review', '1']);
    expect(passed.check).toMatchObject({ passed: true, exitCode: 0 });
    expect((await sb.errand(['review', '1'])).stdout).toContain('check    passed: test -f ok.txt');

    await sb.fakeProfile('forgetful', ['edit', 'a.txt', 'two\n']);
    await sb.json(['add', 'forget the file', '--repo', repo, '--profile', 'forgetful']);
    await watch.status(2, 'failed');
    const failed = await sb.json(['review', '2']);
    expect(failed.check).toMatchObject({ passed: false, exitCode: 1 });
    expect(failed.files.map((f: any) => f.path)).toEqual(['a.txt']);
    const human = (await sb.errand(['review', '2'])).stdout;
    expect(human).toContain('check    failed (exit 1)');
    expect(human).toContain('  ok.txt is missing');
    // A failed check can be sent back with the person's own words, like a result.
    const sent = await sb.json(['reject', '2', 'ok.txt must exist']);
    expect([sent.review, sent.run.attempt]).toEqual(['changes_requested', 2]);
    await watch.waitFor((e) => e.type === 'run.status' && e.runId === sent.run.id && e.ended, 'the follow-up to end');
  });

  it('keeps review states across an engine restart, and a result finished meanwhile is unreviewed', async () => {
    const repo = sb.repo('app', { 'a.txt': 'one\n' });
    await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'two\n']);
    await sb.json(['approve', '1', '--keep-branch']);
    await finishedTask(sb, watch, repo, 2, ['edit', 'b.txt', 'b\n']);
    watch.stop();
    await sb.errand(['daemon', 'stop']);
    watch = await EventWatcher.start(sb);
    const { tasks } = await sb.json(['ls']);
    expect(tasks.map((t: any) => [t.id, t.review])).toEqual([[2, 'unreviewed'], [1, 'kept']]);
    expect((await sb.json(['approve', '2', '--merge'])).review).toBe('merged');
  });
});
