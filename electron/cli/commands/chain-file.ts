// A chain's steps as a person writes them: a header line per step, then its prompt.
//
//   # comments before the first step
//   [plan]
//   Write a plan for {{task}} into plan.md.
//
//   [implement profile=claude gate]
//   Do it, following this plan: {{previous.file:plan.md}}
import type { ChainStepSpec } from '../../../shared/domain.js';
import { UsageError } from '../cli-context.js';

const HEADER = /^\[([^\]\s]+)((?:\s+[^\]\s]+)*)\s*\]\s*$/;

export const CHAIN_FILE_HELP =
  'a steps file: each step starts with a line [NAME], [NAME profile=PROFILE] and/or [NAME gate] (the step waits for\n' +
  '  your approval before it starts; without profile= it runs the task\'s profile); the lines after it are its prompt,\n' +
  '  which may use {{task}}, {{previous.summary}}, {{previous.file:PATH}} and {{steps.NAME.summary}}. Lines starting\n' +
  '  with # before the first step are comments.';

export function parseChainFile(text: string): ChainStepSpec[] {
  const steps: (ChainStepSpec & { lines: string[] })[] = [];
  text.split(/\r?\n/).forEach((line, n) => {
    const header = HEADER.exec(line);
    if (header) {
      const step = { name: header[1]!, profile: null as string | null, gate: false, prompt: '', lines: [] as string[] };
      for (const option of header[2]!.trim().split(/\s+/).filter(Boolean)) {
        if (option === 'gate') step.gate = true;
        else if (option.startsWith('profile=') && option.length > 8) step.profile = option.slice(8);
        else throw new UsageError(`line ${n + 1}: "${option}" is not a step option (use profile=NAME or gate)`);
      }
      steps.push(step);
    } else if (steps.length > 0) {
      steps.at(-1)!.lines.push(line);
    } else if (line.trim() !== '' && !line.startsWith('#')) {
      throw new UsageError(`line ${n + 1}: the file must start with a step header such as [plan] (comments start with #)`);
    }
  });
  if (steps.length === 0) throw new UsageError('the file has no steps: start each with a line such as [plan]');
  return steps.map(({ lines, ...step }) => ({ ...step, prompt: lines.join('\n').replace(/^\s*\n/, '').trimEnd() }));
}
