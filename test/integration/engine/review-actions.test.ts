// Reject, discard, keep-branch and --pr over real repositories: feedback goes back to the agent in the same worktree,
// work is never dropped without --force, and a pull request is opened through gh (a recording stand-in here).
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, stopWatchedEngine } from '../../support/event-watcher.js';
import { finishedTask } from '../../support/review-helpers.js';
import { CliTerminal } from '../../support/terminal.js';
import { ROOT, Sandbox } from '../../support/sandbox.js';

const FAKE_CLAUDE = join(ROOT, 'test/fixtures/fake-claude.mjs');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('reject, discard, keep-branch and pull requests', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;
  let ghLog: string;

  beforeEach(async () => {
    sb = new Sandbox();
    // A stand-in for GitHub's CLI on the engine's PATH: it records its argv and prints a pull request's URL.
    const bin = join(sb.root, 'bin');
    mkdirSync(bin);
    ghLog = join(sb.root, 'gh-argv.json');
    writeFileSync(
      join(bin, 'gh'),
      `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(ghLog)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd() }));\n` +
        "console.log('Creating pull request…');\nconsole.log('https://github.example/acme/app/pull/42');\n",
    );
    chmodSync(join(bin, 'gh'), 0o755);
    sb.env.PATH = `${bin}:${process.env.PATH}`;
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
    repo = sb.repo('app', { 'a.txt': 'one\n' });
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it('refuses empty feedback, changing nothing', async () => {
    await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'two\n']);
    for (const feedback of ['', '   \n']) {
      const refused = await sb.errand(['reject', '1', feedback, '--json']);
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout).error.message).toMatch(/feedback.*is empty/);
    }
    const { task, runs } = await sb.json(['show', '1']);
    expect(runs).toHaveLength(1);
    expect(task.review).toBe('unreviewed');
  });

  it('sends feedback to a command profile as a new run in the same worktree: the prompt, then the feedback', async () => {
    const prompt = 'write the note';
    const { worktree } = await finishedTask(sb, watch, repo, 1, ['prompt-stdin', 'edit', 'a.txt', 'two\n'], prompt);
    writeFileSync(join(worktree, 'left-by-run-1.txt'), 'still here\n');

    const sent = await sb.json(['reject', '1', 'use three, not two']);
    expect(sent.review).toBe('changes_requested');
    expect(sent.run.attempt).toBe(2);
    await watch.waitFor((e) => e.type === 'task.review' && e.taskId === 1 && e.review === 'changes_requested', 'changes_requested');
    await watch.waitFor((e) => e.type === 'run.status' && e.taskId === 1 && e.runId === sent.run.id && e.status === 'succeeded', 'run 2');
    await watch.waitFor(
      (e) => e.type === 'task.review' && e.taskId === 1 && e.review === 'unreviewed' && watch.events.indexOf(e) > watch.events.findIndex((x) => x.type === 'task.review' && x.review === 'changes_requested'),
      'unreviewed again',
    );
    const { task, runs } = await sb.json(['show', '1']);
    expect(task.review).toBe('unreviewed');
    expect(runs[1].worktree).toBe(worktree);
    expect(existsSync(join(worktree, 'left-by-run-1.txt'))).toBe(true);
    // The rule for a CLI with no session: the original prompt, then the feedback.
    const followUp =
      'write the note\n\nFeedback on your previous attempt (its changes are still in this working directory; build on them):\n' +
      'use three, not two';
    const log = await sb.errand(['logs', '1']);
    expect(log.stdout).toContain(`prompt ${Buffer.byteLength(followUp)} bytes sha256 ${sha(followUp)}`);
    expect(log.stdout).toContain(`reusing worktree ${worktree}`);
  });

  it('sends feedback to an agent with a session as a reply in that session', async () => {
    await sb.json(['profile', 'add', 'claude-fake', '--adapter', 'claude', '--binary', FAKE_CLAUDE]);
    await sb.json(['add', 'add a flag', '--repo', repo, '--profile', 'claude-fake']);
    await watch.status(1, 'succeeded');
    const first = (await sb.json(['show', '1'])).runs[0];
    expect((await sb.json(['review', '1'])).summary).toBe('Done: add a flag');

    const sent = await sb.json(['reject', '1', 'name it --dry-run']);
    expect(sent.run.kind).toBe('reply');
    expect(sent.run.sessionId).toBe(first.sessionId);
    await watch.waitFor((e) => e.type === 'run.status' && e.runId === sent.run.id && e.status === 'succeeded', 'the reply run');
    const { runs } = await sb.json(['show', '1']);
    expect(runs[1].command).toEqual(expect.arrayContaining(['--resume', first.sessionId]));
    expect(runs[1].worktree).toBe(first.worktree);
    expect((await sb.json(['review', '1'])).summary).toBe('Done: name it --dry-run');
  });

  it('keeps the branch with the work committed and removes the worktree; review then reads the branch', async () => {
    const { worktree, branch } = await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'two\n', 'edit', 'b.txt', 'new\n']);
    const kept = await sb.json(['approve', '1', '--keep-branch']);
    expect(kept.review).toBe('kept');
    expect(existsSync(worktree)).toBe(false);
    expect(sb.git(repo, 'show', `${branch}:b.txt`)).toBe('new\n');
    expect(sb.git(repo, 'rev-parse', branch).trim()).toBe(kept.reviewDetail.commit);
    expect(sb.git(repo, 'rev-parse', 'main').trim()).toBe(sb.git(repo, 'rev-parse', `${branch}~1`).trim());
    const review = await sb.json(['review', '1']);
    expect(review.source).toBe('branch');
    expect(review.files.map((f: any) => f.path).sort()).toEqual(['a.txt', 'b.txt']);
    // A kept branch can still be merged.
    const merged = await sb.json(['approve', '1', '--merge']);
    expect(merged.review).toBe('merged');
    expect(sb.git(repo, 'branch', '--list', branch).trim()).toBe('');
  });

  it('discards only with confirmation, and never uncommitted work without --force', async () => {
    const { worktree, branch } = await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'two\n']);
    const unconfirmed = await sb.errand(['discard', '1']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');

    const refused = await sb.errand(['discard', '1', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/uncommitted change.*--force/);
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('two\n');
    expect((await sb.json(['show', '1'])).task.review).toBe('unreviewed');

    const discarded = await sb.json(['discard', '1', '--yes', '--force']);
    expect(discarded.task.review).toBe('discarded');
    expect(discarded.removed).toEqual([worktree, branch]);
    expect(existsSync(worktree)).toBe(false);
    await watch.waitFor((e) => e.type === 'task.review' && e.taskId === 1 && e.review === 'discarded', 'discarded');
    expect((await sb.errand(['approve', '1', '--merge'])).stderr).toContain('was discarded');

    const clean = await finishedTask(sb, watch, repo, 2, ['say', 'nothing to do']);
    expect((await sb.json(['discard', '2', '--yes'])).removed).toEqual([clean.worktree, clean.branch]);
  });

  it('asks at a terminal before discarding, and does nothing on no', async () => {
    const { worktree } = await finishedTask(sb, watch, repo, 1, ['say', 'nothing to change']);
    const no = new CliTerminal(sb, ['discard', '1']);
    try {
      await no.waitForScreen(/Discard task 1: remove its worktree and branch\? \[y\/N\]/, 'the question');
      no.write('n\r');
      expect((await no.exited).exitCode).toBe(0);
      expect(await no.screen()).toContain('nothing was discarded');
    } finally {
      no.dispose();
    }
    expect(existsSync(worktree)).toBe(true);
    const yes = new CliTerminal(sb, ['discard', '1']);
    try {
      await yes.waitForScreen(/\[y\/N\]/, 'the question');
      yes.write('y\r');
      expect((await yes.exited).exitCode).toBe(0);
      expect(await yes.screen()).toContain('task 1 discarded');
    } finally {
      yes.dispose();
    }
    expect(existsSync(worktree)).toBe(false);
  });

  it('pushes the branch and opens a pull request with gh; says so clearly when there is no remote', async () => {
    const { worktree, branch } = await finishedTask(sb, watch, repo, 1, ['edit', 'a.txt', 'two\n'], 'Fix the thing\n\nin detail');
    const noRemote = await sb.errand(['approve', '1', '--pr']);
    expect(noRemote.code).toBe(1);
    expect(noRemote.stderr).toContain(`${repo} has no remote to push to`);
    expect(noRemote.stderr).toContain('git remote add origin');
    expect(sb.git(worktree, 'status', '--porcelain')).toBe(' M a.txt\n');

    const remote = join(sb.root, 'remote.git');
    sb.git(sb.root, 'init', '-q', '--bare', remote);
    sb.git(repo, 'remote', 'add', 'origin', remote);
    const opened = await sb.json(['approve', '1', '--pr']);
    expect(opened.review).toBe('pr_opened');
    expect(opened.reviewDetail.prUrl).toBe('https://github.example/acme/app/pull/42');
    const tip = sb.git(worktree, 'rev-parse', 'HEAD').trim();
    expect(sb.git(remote, 'rev-parse', `refs/heads/${branch}`).trim()).toBe(tip);
    expect(sb.git(remote, 'show', `${branch}:a.txt`)).toBe('two\n');
    const { argv, cwd } = JSON.parse(readFileSync(ghLog, 'utf8'));
    expect(argv).toEqual(['pr', 'create', '--head', branch, '--base', 'main', '--title', 'Fix the thing', '--body', 'Fix the thing\n\nin detail\n\nErrand task 1']);
    expect(cwd).toBe(worktree);
    expect((await sb.errand(['approve', '1', '--pr'])).stderr).toContain('already has a pull request: https://github.example/acme/app/pull/42');
  });

  it('says gh is missing when it is not on the engine\'s PATH', async () => {
    watch.stop();
    await sb.errand(['daemon', 'stop']);
    sb.env.PATH = process.env.PATH;
    const { worktree } = await finishedTask(sb, watch = await EventWatcher.start(sb), repo, 1, ['edit', 'a.txt', 'two\n']);
    sb.git(repo, 'remote', 'add', 'origin', join(sb.root, 'nowhere.git'));
    const missing = await sb.errand(['approve', '1', '--pr']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not found: gh');
    expect(missing.stderr).toContain('--merge or --keep-branch');
    expect(sb.git(worktree, 'status', '--porcelain')).toBe(' M a.txt\n');
  });
});
