// {{previous.file:PATH}} reads a file from the worktree only: bounded, and never through a link that leads out.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStepFile } from '../../../../electron/engine/chains/step-file.js';
import { renderStep } from '../../../../electron/engine/chains/render-step.js';

let root: string;
let worktree: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'errand-step-file-')));
  worktree = join(root, 'worktree');
  mkdirSync(join(worktree, 'docs'), { recursive: true });
  writeFileSync(join(root, 'outside.txt'), 'not yours');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('a step reading a file', () => {
  it('reads a file in the worktree, also through a link that stays inside', async () => {
    writeFileSync(join(worktree, 'docs/plan.md'), '1. parse\n');
    symlinkSync('docs/plan.md', join(worktree, 'plan.md'));
    expect(await readStepFile(worktree, 'docs/plan.md')).toBe('1. parse\n');
    expect(await readStepFile(worktree, 'plan.md')).toBe('1. parse\n');
  });

  it('refuses a link out of the worktree, a folder linked out, and a path with ..', async () => {
    symlinkSync(join(root, 'outside.txt'), join(worktree, 'plan.md'));
    symlinkSync(root, join(worktree, 'up'));
    await expect(readStepFile(worktree, 'plan.md')).rejects.toThrow('plan.md leads outside the worktree (a symbolic link), so it is not read');
    await expect(readStepFile(worktree, 'up/outside.txt')).rejects.toThrow(/leads outside the worktree/);
    await expect(readStepFile(worktree, '../outside.txt')).rejects.toThrow(/names a path with "\.\."/);
  });

  it('refuses a file over the bound, a folder, and says when the file is missing', async () => {
    writeFileSync(join(worktree, 'big.md'), 'x'.repeat(101));
    await expect(readStepFile(worktree, 'big.md', 100)).rejects.toThrow('big.md is 101 bytes; a step takes at most 100 bytes of a file');
    await expect(readStepFile(worktree, 'docs')).rejects.toThrow('docs is not a regular file');
    await expect(readStepFile(worktree, 'plan.md')).rejects.toThrow('plan.md is not in the worktree (the step before was to write it)');
  });

  it('fills in every variable of a prompt', async () => {
    writeFileSync(join(worktree, 'plan.md'), 'the plan');
    const prompt = await renderStep('{{task}} | {{previous.summary}} | {{previous.file:plan.md}} | {{steps.plan.summary}} | {{steps.skipped.summary}}', {
      taskPrompt: 'fix it',
      steps: [{ name: 'plan', status: 'succeeded' }, { name: 'skipped', status: 'skipped' }, { name: 'do', status: 'pending' }],
      index: 2,
      summary: async (i) => `summary ${i}`,
      worktree,
    });
    expect(prompt).toBe('fix it | summary 0 | the plan | summary 0 | (step skipped did not run: it was skipped)');
  });
});
