import { describe, expect, it } from 'vitest';
import { safeRelative, slugFor } from '../../../../electron/engine/worktrees/worktrees.js';

describe('worktree names', () => {
  it('makes a short ASCII slug from the task id and prompt', () => {
    expect(slugFor(7, 'Fix the flaky test in test/date.test.ts')).toBe('7-fix-the-flaky-test-in-test-date-test-ts');
    expect(slugFor(8, '🚀 مرحبا')).toBe('8-task');
    expect(slugFor(9, '$(rm -rf ~)')).toBe('9-rm-rf');
    expect(slugFor(10, 'x'.repeat(300)).length).toBeLessThanOrEqual(44);
  });

  it('keeps copied files inside the repository', () => {
    expect(safeRelative('config/../.env')).toBe('.env');
    for (const bad of ['/etc/passwd', '../secrets', 'a/../../b', '.']) expect(() => safeRelative(bad), bad).toThrow(/inside the repository/);
  });
});
