// The chains every Errand has. Each step runs the task's own profile, so they work with any agent or command.
import type { ChainTemplate } from '../../../shared/domain.js';

const step = (name: string, prompt: string) => ({ name, profile: null, gate: false, prompt });

const PLAN =
  'Write a plan for the task below into plan.md at the root of this working directory: the files to change, the ' +
  'changes, and how to test them. Change no other file.\n\nThe task:\n{{task}}';

export const BUILTIN_CHAINS: readonly ChainTemplate[] = [
  {
    name: 'plan-critique-implement',
    description: 'plan writes plan.md, critique reviews it, implement does it',
    builtin: true,
    createdAt: null,
    steps: [
      step('plan', PLAN),
      step(
        'critique',
        'Review this plan for the task below. Say what is wrong, missing or risky, and what to do instead. Change no ' +
          'file.\n\nThe task:\n{{task}}\n\nThe plan (plan.md):\n{{previous.file:plan.md}}',
      ),
      step(
        'implement',
        'Do the task below, following the plan and taking its critique into account. Then remove plan.md.\n\n' +
          'The task:\n{{task}}\n\nThe plan (plan.md):\n{{previous.file:plan.md}}\n\nThe critique:\n{{previous.summary}}',
      ),
    ],
  },
  {
    name: 'implement-review',
    description: 'implement does the task, review checks the change and fixes what it finds',
    builtin: true,
    createdAt: null,
    steps: [
      step('implement', '{{task}}'),
      step(
        'review',
        'Review the uncommitted changes in this working directory, made for the task below. Fix any bug or gap you ' +
          'find, then say what you checked and what you changed.\n\nThe task:\n{{task}}\n\nWhat the implementer ' +
          'said:\n{{previous.summary}}',
      ),
    ],
  },
  {
    name: 'plan-implement-test',
    description: 'plan writes plan.md, implement does it, test writes and runs the tests',
    builtin: true,
    createdAt: null,
    steps: [
      step('plan', PLAN),
      step(
        'implement',
        'Do the task below, following the plan. Then remove plan.md.\n\nThe task:\n{{task}}\n\nThe plan ' +
          '(plan.md):\n{{previous.file:plan.md}}',
      ),
      step(
        'test',
        "Write or update tests for the change in this working directory, made for the task below, run them, and fix " +
          'what fails. Say what you tested.\n\nThe task:\n{{task}}\n\nWhat the implementer said:\n{{steps.implement.summary}}',
      ),
    ],
  },
];

export function builtinChain(name: string): ChainTemplate | null {
  return BUILTIN_CHAINS.find((c) => c.name === name) ?? null;
}
