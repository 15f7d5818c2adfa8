import { describe, expect, it } from 'vitest';
import type { RunInfo } from '../../../../shared/domain.js';
import { placeFor, recordedPlace, safeRelative, slugFor } from '../../../../electron/engine/worktrees/worktree-names.js';

describe('worktree names', () => {
  it('makes a short ASCII slug from the task id, the prompt and the data dir id', () => {
    expect(slugFor(7, 'Fix the flaky test in test/date.test.ts', 'k3f9')).toBe('7-fix-the-flaky-test-in-test-date-test-ts-k3f9');
    expect(slugFor(8, '🚀 مرحبا', 'k3f9')).toBe('8-task-k3f9');
    expect(slugFor(9, '$(touch canary)', 'k3f9')).toBe('9-touch-canary-k3f9');
    expect(slugFor(10, 'x'.repeat(300), 'k3f9').length).toBeLessThanOrEqual(49);
  });

  it('gives task 1 of two data dirs different branches and folders in the same repo', () => {
    const task = { id: 1, prompt: 'fix the parser' };
    const a = placeFor('/data-a/worktrees', '/code/app', task, [], 'aaaa');
    const b = placeFor('/data-b/worktrees', '/code/app', task, [], 'bbbb');
    expect(a).toMatchObject({ branch: 'errand/1-fix-the-parser-aaaa', claimed: false });
    expect(a.path).toMatch(/^\/data-a\/worktrees\/app-[0-9a-f]{8}\/1-fix-the-parser-aaaa$/);
    expect(b).toMatchObject({ branch: 'errand/1-fix-the-parser-bbbb', claimed: false });
  });

  it('keeps the place an earlier run recorded, so tasks from before data dir ids find their worktrees', () => {
    const old = { worktree: '/data/worktrees/app-1234abcd/1-fix-the-parser', branch: 'errand/1-fix-the-parser' } as RunInfo;
    const unstarted = { worktree: null, branch: null } as RunInfo;
    const place = placeFor('/data/worktrees', '/code/app', { id: 1, prompt: 'fix the parser' }, [old, unstarted], 'k3f9');
    expect(place).toEqual({ path: old.worktree, branch: old.branch, claimed: true });
    expect(recordedPlace([unstarted])).toBeNull();
  });

  it('keeps copied files inside the repository', () => {
    expect(safeRelative('config/../.env')).toBe('.env');
    for (const bad of ['/etc/passwd', '../secrets', 'a/../../b', '.']) expect(() => safeRelative(bad), bad).toThrow(/inside the repository/);
  });
});
