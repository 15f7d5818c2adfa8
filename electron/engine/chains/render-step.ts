// A step's prompt, its variables filled in from the task, the steps before it, and the worktree they share.
import type { ChainStepStatus } from '../../../shared/domain.js';
import { MAX_PROMPT_CHARS } from '../../../shared/protocol/limits.js';
import { readStepFile, StepFileError } from './step-file.js';
import type { StepVariable } from './variables.js';
import { variableUses } from './variables.js';

/** The most of one step's summary another step's prompt takes. */
export const MAX_SUMMARY_CHARS = 64 * 1024;

export interface RenderContext {
  taskPrompt: string;
  steps: readonly { name: string; status: ChainStepStatus }[];
  /** The step being prepared. */
  index: number;
  /** Step i's summary: its agent's final message (a command's last lines); null when it gave none. */
  summary(index: number): Promise<string | null>;
  worktree: string | null;
}

export async function renderStep(prompt: string, ctx: RenderContext): Promise<string> {
  let out = '';
  let from = 0;
  for (const use of variableUses(prompt)) {
    out += prompt.slice(from, use.start) + (use.variable ? await valueOf(use.variable, ctx) : use.text);
    from = use.end;
  }
  out += prompt.slice(from);
  if (out.length > MAX_PROMPT_CHARS) throw new StepFileError(`its prompt would be ${out.length} characters; a prompt holds at most ${MAX_PROMPT_CHARS}`);
  return out;
}

/** The first step can only use {{task}} (there is nothing before it), so it is ready the moment the task is filed. */
export function renderFirstStep(prompt: string, taskPrompt: string): string {
  return variableUses(prompt).reduceRight(
    (text, use) => text.slice(0, use.start) + (use.variable?.kind === 'task' ? taskPrompt : use.text) + text.slice(use.end),
    prompt,
  );
}

async function valueOf(variable: StepVariable, ctx: RenderContext): Promise<string> {
  switch (variable.kind) {
    case 'task':
      return ctx.taskPrompt;
    case 'previous.summary': {
      const previous = ctx.steps.slice(0, ctx.index).findLastIndex((s) => s.status === 'succeeded');
      return previous === -1 ? '(no earlier step ran)' : summaryText(ctx, previous);
    }
    case 'previous.file':
      if (!ctx.worktree) throw new StepFileError(`${variable.path} cannot be read: the task has no worktree yet`);
      return readStepFile(ctx.worktree, variable.path);
    case 'step.summary': {
      const index = ctx.steps.findIndex((s) => s.name === variable.step);
      return ctx.steps[index]?.status === 'succeeded' ? summaryText(ctx, index) : `(step ${variable.step} did not run: it was skipped)`;
    }
  }
}

async function summaryText(ctx: RenderContext, index: number): Promise<string> {
  const text = await ctx.summary(index);
  if (text === null) return `(step ${ctx.steps[index]!.name} gave no final message)`;
  return text.length > MAX_SUMMARY_CHARS ? `${text.slice(0, MAX_SUMMARY_CHARS)}\n(cut at ${MAX_SUMMARY_CHARS} characters)` : text;
}
