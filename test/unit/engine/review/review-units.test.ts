import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../../shared/domain.js';
import { parseListing } from '../../../../electron/engine/review/diff.js';
import { effectiveReview } from '../../../../electron/engine/review/review-state.js';
import { commitMessage } from '../../../../electron/engine/review/snapshot.js';

describe('the review listing (git diff --raw --numstat -z)', () => {
  const raw = (status: string, ...paths: string[]) => `:100644 100644 aaaaaaa bbbbbbb ${status}\0${paths.join('\0')}\0`;

  it('pairs each file with its +/-, renames, binaries and odd names included', () => {
    const out =
      raw('M', 'a.txt') + raw('A', 'tab\there.txt') + raw('D', ':colon.txt') + raw('R087', 'old.txt', 'new.txt') + raw('A', 'img.png') +
      '2\t1\ta.txt\0' + '3\t0\ttab\there.txt\0' + '0\t4\t:colon.txt\0' + '1\t1\t\0old.txt\0new.txt\0' + '-\t-\timg.png\0';
    const { listed, stats } = parseListing(out, false);
    expect(listed).toEqual([
      { status: 'modified', oldPath: null, path: 'a.txt' },
      { status: 'added', oldPath: null, path: 'tab\there.txt' },
      { status: 'deleted', oldPath: null, path: ':colon.txt' },
      { status: 'renamed', oldPath: 'old.txt', path: 'new.txt' },
      { status: 'added', oldPath: null, path: 'img.png' },
    ]);
    expect(stats.get('new.txt')).toEqual({ additions: 1, deletions: 1, binary: false });
    expect(stats.get('img.png')).toEqual({ additions: 0, deletions: 0, binary: true });
    expect(stats.get('tab\there.txt')).toEqual({ additions: 3, deletions: 0, binary: false });
  });

  it('lists only files whose numbers were read whole when the listing was cut', () => {
    const out = raw('M', 'a.txt') + raw('M', 'b.txt') + '2\t1\ta.txt\0' + '5\t5\tb.t';
    expect(parseListing(out, true).listed.map((f) => f.path)).toEqual(['a.txt']);
  });
});

describe('the review state', () => {
  const run = (id: number, status: RunInfo['status']) => ({ id, status }) as RunInfo;

  it('holds for the run it was stored for; a newer run that succeeds is unreviewed again', () => {
    expect(effectiveReview({ state: null, runId: null, detail: null }, run(1, 'running')).review).toBe(null);
    expect(effectiveReview({ state: null, runId: null, detail: null }, run(1, 'succeeded')).review).toBe('unreviewed');
    expect(effectiveReview({ state: 'merged', runId: 1, detail: '{"commit":"abc"}' }, run(1, 'succeeded'))).toEqual({ review: 'merged', reviewDetail: { commit: 'abc' } });
    expect(effectiveReview({ state: 'changes_requested', runId: 1, detail: null }, run(2, 'running')).review).toBe('changes_requested');
    expect(effectiveReview({ state: 'changes_requested', runId: 1, detail: null }, run(2, 'failed')).review).toBe('changes_requested');
    expect(effectiveReview({ state: 'changes_requested', runId: 1, detail: null }, run(2, 'succeeded')).review).toBe('unreviewed');
    expect(effectiveReview({ state: 'kept', runId: 1, detail: null }, run(2, 'running')).review).toBe(null);
  });

  it('files a scheduled run that changed nothing as nothing found; any other success is unreviewed', () => {
    const none = { state: null, runId: null, detail: null };
    const unchanged = { id: 1, status: 'succeeded', reason: 'no changes in the worktree' } as RunInfo;
    expect(effectiveReview(none, unchanged, true).review).toBe('nothing_found');
    expect(effectiveReview(none, unchanged, false).review).toBe('unreviewed');
    expect(effectiveReview(none, { ...unchanged, reason: null }, true).review).toBe('unreviewed');
    expect(effectiveReview({ state: 'discarded', runId: 1, detail: null }, unchanged, true).review).toBe('discarded');
  });
});

describe('the commit message of approved work', () => {
  it("is the prompt's first line, then the task", () => {
    expect(commitMessage(7, '  Fix the parser\n\nit breaks on tabs')).toEqual({ subject: 'Fix the parser', body: 'Errand task 7' });
    expect(commitMessage(8, 'x'.repeat(100)).subject).toHaveLength(72);
  });
});
