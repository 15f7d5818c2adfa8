// --best-of: one prompt to several profiles, each in its own worktree; review compares them side by side (check,
// diff stats, summary, cost, time); approving one discards the others' worktrees once confirmed.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventWatcher } from '../../support/event-watcher.js';
import { startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { ROOT } from '../../support/sandbox.js';
import type { Sandbox } from '../../support/sandbox.js';

const FAKE_CLAUDE = join(ROOT, 'test/fixtures/fake-claude.mjs');

describe('best-of-N', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;
  let goAhead: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo('app', { 'a.txt': 'one\n' });
    goAhead = join(sb.root, 'go-ahead');
    await sb.json(['repo', 'add', repo, '--check', 'test -f a.txt']);
    await sb.json(['profile', 'add', 'claudeish', '--adapter', 'claude', '--binary', FAKE_CLAUDE, '--', '--fake-save-prompt', 'note.txt']);
    await sb.fakeProfile('edits', ['edit', 'a.txt', 'one\ntwo\nthree\n']);
    await sb.fakeProfile('slow', ['wait-file', goAhead, 'edit', 'c.txt', 'late\n']);
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  async function fileThree(): Promise<any> {
    const filed = await sb.json(['add', 'improve the notes', '--repo', repo, '--best-of', 'claudeish,edits,slow']);
    expect(filed.group).toMatchObject({ id: 1, kind: 'best_of', total: 3, taskIds: [1, 2, 3] });
    expect(filed.tasks.map((t: any) => [t.profile, t.prompt, t.group])).toEqual([
      ['claudeish', 'improve the notes', { id: 1, kind: 'best_of' }],
      ['edits', 'improve the notes', { id: 1, kind: 'best_of' }],
      ['slow', 'improve the notes', { id: 1, kind: 'best_of' }],
    ]);
    for (const id of [1, 2]) await watch.waitFor((e) => e.type === 'task.review' && e.taskId === id && e.review === 'unreviewed', `task ${id} unreviewed`);
    await watch.status(3, 'running');
    return filed;
  }

  const worktreeOf = async (id: number) => (await sb.json(['show', String(id)])).runs[0].worktree as string;

  it('runs each in its own worktree and compares them side by side from any member, in text and --json', async () => {
    await fileThree();
    const worktrees = await Promise.all([1, 2, 3].map(worktreeOf));
    expect(new Set(worktrees).size).toBe(3);

    const compared = await sb.json(['review', '3', '--compare']);
    expect(compared.group).toMatchObject({ kind: 'best_of', succeeded: 2, running: 1 });
    const [claude, edits, slow] = compared.candidates;
    expect(claude).toMatchObject({ files: 1, additions: 1, deletions: 0, noChanges: false, costUsd: 0.0123, summary: 'Done: improve the notes', problem: null });
    expect(claude.check).toMatchObject({ passed: true, command: 'test -f a.txt' });
    expect(claude.task.profile).toBe('claudeish');
    expect(edits).toMatchObject({ files: 1, additions: 2, deletions: 0, costUsd: null });
    expect(edits.check.passed).toBe(true);
    expect(edits.durationMs).toBeGreaterThan(0);
    expect(slow.task.status).toBe('running');

    const text = (await sb.errand(['review', '2'])).stdout;
    expect(text).toMatch(/^best-of 1: 3 agents on one prompt\nTASK +PROFILE +STATUS +CHECK +FILES +\+\/- +COST +TIME\n1 +claudeish +unreviewed +passed +1 +\+1 -0 +\$0\.01 /);
    expect(text).toMatch(/\n2 +edits +unreviewed +passed +1 +\+2 -0 +- /);
    expect(text).toMatch(/1 claudeish: Done: improve the notes/);
    // Then the member's own review, as always.
    expect(text).toMatch(/task 2 +unreviewed .*\n(.*\n)*summary\n/);
    expect((await sb.json(['review', '2'])).files.map((f: any) => f.path)).toEqual(['a.txt']);
  });

  it('approving one keeps the others until confirmed, says exactly what would go, then discards them', async () => {
    await fileThree();
    const [one, three] = [await worktreeOf(1), await worktreeOf(3)];
    const approved = await sb.errand(['approve', '2', '--merge']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/task 2 merged/);
    expect(approved.stdout).toContain(`the other candidates were kept: task 1: ${one} (`);
    expect(approved.stdout).toContain(`task 3 (cancelled first: it has not finished): ${three} (`);
    expect(approved.stdout).toContain('To discard them: errand batch discard-others 2 --yes');
    expect(existsSync(one) && existsSync(three)).toBe(true);
    expect((await sb.json(['show', '3'])).task.status).toBe('running');

    const discarded = await sb.json(['batch', 'discard-others', '2', '--yes']);
    expect(discarded.discarded.map((d: any) => [d.taskId, d.cancelled])).toEqual([
      [1, false],
      [3, true],
    ]);
    expect(existsSync(one) || existsSync(three)).toBe(false);
    expect(sb.git(repo, 'branch', '--list', 'errand/*').trim()).toBe('');
    const after = await sb.json(['batch', 'show', '1']);
    expect(after.tasks.map((t: any) => [t.id, t.status, t.review])).toEqual([
      [1, 'succeeded', 'discarded'],
      [2, 'succeeded', 'merged'],
      [3, 'cancelled', 'discarded'],
    ]);
    expect(sb.git(repo, 'show', 'main:a.txt')).toBe('one\ntwo\nthree\n');
    // Nothing is left to discard, and that is said.
    expect((await sb.errand(['batch', 'discard-others', '2', '--yes'])).stdout).toMatch(/no other candidates are left/);
  });

  it('approve --yes discards the others at once, and --json carries what went', async () => {
    await fileThree();
    writeFileSync(goAhead, '');
    await watch.status(3, 'succeeded');
    const approved = await sb.json(['approve', '1', '--keep-branch', '--yes']);
    expect(approved).toMatchObject({ id: 1, review: 'kept' });
    expect(approved.otherCandidates.dryRun).toBe(false);
    expect(approved.otherCandidates.discarded.map((d: any) => d.taskId)).toEqual([2, 3]);
    for (const id of [2, 3]) expect((await sb.json(['show', String(id)])).task.review).toBe('discarded');
    // The kept one is the person's choice: discarding "the others" of another member leaves it alone.
    expect((await sb.json(['batch', 'discard-others', '2', '--yes'])).discarded).toEqual([]);
    expect((await sb.json(['show', '1'])).task.review).toBe('kept');
    expect(sb.git(repo, 'branch', '--list', 'errand/*').trim()).not.toBe('');
  });

  it('refuses a profile named twice, an unknown one, or one alone, filing nothing; a task filed alone has nothing to compare', async () => {
    for (const [profiles, message] of [
      ['edits,edits', /Profile "edits" is named twice/],
      ['edits,ghost', /There is no profile "ghost"; nothing was filed/],
      ['edits', /needs two profiles or more/],
    ] as const) {
      const refused = await sb.errand(['add', 'x', '--repo', repo, '--best-of', profiles]);
      expect(refused.code, profiles).toBe(1);
      expect(refused.stderr, profiles).toMatch(message);
    }
    expect((await sb.errand(['add', 'x', '--repo', repo, '--best-of', 'edits,slow', '--profile', 'edits'])).code).toBe(2);
    expect((await sb.json(['ls'])).total).toBe(0);
    await sb.json(['add', 'alone', '--repo', repo, '--profile', 'edits']);
    await watch.status(1, 'succeeded');
    expect((await sb.errand(['review', '1', '--compare'])).stderr).toMatch(/Task 1 was not filed with --best-of/);
    expect((await sb.errand(['batch', 'discard-others', '1', '--yes'])).stderr).toMatch(/Task 1 was not filed with --best-of/);
  });
});
