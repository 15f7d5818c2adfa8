import { describe, expect, it } from 'vitest';
import { BUILTIN_CHAINS } from '../../../../electron/engine/chains/builtin-chains.js';
import { filePathProblem, stepsProblems } from '../../../../electron/engine/chains/variables.js';
import type { ChainStepSpec } from '../../../../shared/domain.js';

const step = (name: string, prompt: string, profile: string | null = null): ChainStepSpec => ({ name, prompt, profile, gate: false });
const problems = (steps: ChainStepSpec[]) => stepsProblems(steps, (p) => p === 'claude');

describe('a chain template is checked when saved', () => {
  it('passes the built-in chains, which run the task profile', () => {
    for (const chain of BUILTIN_CHAINS) expect(problems(chain.steps), chain.name).toEqual([]);
  });

  it('passes every variable used as meant', () => {
    expect(problems([step('plan', 'plan {{task}}', 'claude'), step('do', 'do {{ task }}: {{previous.summary}} {{previous.file:docs/plan.md}} {{steps.plan.summary}}')])).toEqual([]);
  });

  it('refuses an unknown variable, naming the step and the variables there are', () => {
    expect(problems([step('plan', 'plan {{task}}'), step('do', 'do {{previous.sumary}}')])).toEqual([
      'step do: {{previous.sumary}} is not a variable: use {{task}}, {{previous.summary}}, {{previous.file:PATH}} or {{steps.NAME.summary}}',
    ]);
    expect(problems([step('plan', 'plan {{task}')])[0]).toMatch(/^step plan: it has a "\{\{" or "\}\}" that is not a variable/);
  });

  it('refuses an unknown profile, and a step that is unknown, later, itself, or missing a previous step', () => {
    expect(problems([step('plan', 'plan {{task}}', 'nobody')])).toEqual(['step plan: there is no profile "nobody" (errand profile ls lists them)']);
    expect(problems([step('a', '{{previous.summary}}')])).toEqual(['step a: {{previous.summary}}: it is the first step, so there is no previous step']);
    expect(problems([step('a', 'x'), step('b', '{{steps.c.summary}}'), step('c', '{{steps.c.summary}}')])).toEqual([
      'step b: {{steps.c.summary}} names no earlier step (earlier: a)',
      'step c: {{steps.c.summary}} names this step itself: only earlier steps have a summary when it starts',
    ]);
  });

  it('refuses step names twice or badly formed, an empty prompt, and no steps', () => {
    expect(problems([step('a', 'x'), step('a', 'y')])).toEqual(['step a: there are two steps of that name']);
    expect(problems([step('1st', 'x')])[0]).toMatch(/^step 1st: a step name is a letter/);
    expect(problems([step('a', '  ')])).toEqual(['step a: its prompt is empty']);
    expect(problems([])).toEqual(['it has no steps']);
  });

  it('keeps a file inside the worktree', () => {
    for (const bad of ['../secret', 'a/../../b', '/etc/passwd', '~/x', 'a//b', '', 'a\0b']) expect(filePathProblem(bad), bad).not.toBeNull();
    expect(filePathProblem('docs/plan.md')).toBeNull();
    expect(problems([step('a', 'x'), step('b', '{{previous.file:../x}}')])[0]).toMatch(/^step b: \{\{previous\.file:\.\.\/x\}\} names a path with "\.\."/);
  });
});
