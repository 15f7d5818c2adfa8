// The variables a chain step's prompt may use, and the check that a template uses only those, when it is saved.
import type { ChainStepSpec } from '../../../shared/domain.js';

export type StepVariable =
  | { kind: 'task' }
  | { kind: 'previous.summary' }
  | { kind: 'previous.file'; path: string }
  | { kind: 'step.summary'; step: string };

export interface VariableUse {
  /** The text as written, `{{previous.file:plan.md}}`. */
  text: string;
  start: number;
  end: number;
  variable: StepVariable | null;
}

export const VARIABLE_HELP = '{{task}}, {{previous.summary}}, {{previous.file:PATH}} or {{steps.NAME.summary}}';
export const STEP_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
export const MAX_CHAIN_STEPS = 20;
const MAX_FILE_PATH_CHARS = 1024;
const USE = /\{\{([^{}]*)\}\}/g;

function variableOf(inner: string): StepVariable | null {
  const body = inner.trim();
  if (body === 'task') return { kind: 'task' };
  if (body === 'previous.summary') return { kind: 'previous.summary' };
  const file = /^previous\.file:(.+)$/.exec(body);
  if (file) return { kind: 'previous.file', path: file[1]!.trim() };
  const step = /^steps\.([^.]+)\.summary$/.exec(body);
  if (step) return { kind: 'step.summary', step: step[1]! };
  return null;
}

/** Every `{{…}}` in a prompt, read or not. */
export function variableUses(prompt: string): VariableUse[] {
  return [...prompt.matchAll(USE)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length, variable: variableOf(m[1]!) }));
}

/** Why a path may not be read from the worktree, or null: relative, inside it, no `..`. */
export function filePathProblem(path: string): string | null {
  if (path.length === 0) return 'names no file';
  if (path.length > MAX_FILE_PATH_CHARS) return `names a path over ${MAX_FILE_PATH_CHARS} characters`;
  if (path.includes('\0') || path.includes('\\')) return 'names a path with a NUL or a backslash';
  if (path.startsWith('/') || path.startsWith('~')) return 'names a path outside the worktree: give one relative to it, like plan.md';
  if (path.split('/').some((part) => part === '..' || part === '')) return 'names a path with ".." or an empty part: give one inside the worktree, like docs/plan.md';
  return null;
}

/** What is wrong with one step's prompt, given the steps before it. */
export function promptProblems(prompt: string, earlier: readonly string[], self: string): string[] {
  const problems: string[] = [];
  if (prompt.trim() === '') problems.push('its prompt is empty');
  const uses = variableUses(prompt);
  const rest = uses.reduceRight((text, use) => text.slice(0, use.start) + text.slice(use.end), prompt);
  if (rest.includes('{{') || rest.includes('}}')) problems.push(`it has a "{{" or "}}" that is not a variable: use ${VARIABLE_HELP}`);
  for (const { text, variable } of uses) {
    if (!variable) {
      problems.push(`${text} is not a variable: use ${VARIABLE_HELP}`);
    } else if ((variable.kind === 'previous.summary' || variable.kind === 'previous.file') && earlier.length === 0) {
      problems.push(`${text}: it is the first step, so there is no previous step`);
    } else if (variable.kind === 'previous.file') {
      const problem = filePathProblem(variable.path);
      if (problem) problems.push(`${text} ${problem}`);
    } else if (variable.kind === 'step.summary' && !earlier.includes(variable.step)) {
      problems.push(
        variable.step === self
          ? `${text} names this step itself: only earlier steps have a summary when it starts`
          : `${text} names no earlier step${earlier.length ? ` (earlier: ${earlier.join(', ')})` : ''}`,
      );
    }
  }
  return problems;
}

/** Every problem of a chain's steps, each naming its step; `profileExists` answers for a named profile. */
export function stepsProblems(steps: readonly ChainStepSpec[], profileExists: (name: string) => boolean): string[] {
  const problems: string[] = [];
  if (steps.length === 0) problems.push('it has no steps');
  if (steps.length > MAX_CHAIN_STEPS) problems.push(`it has ${steps.length} steps; a chain has at most ${MAX_CHAIN_STEPS}`);
  const seen: string[] = [];
  for (const step of steps) {
    const where = `step ${step.name}`;
    if (!STEP_NAME.test(step.name)) problems.push(`${where}: a step name is a letter, then up to 31 letters, digits, - or _`);
    if (seen.includes(step.name)) problems.push(`${where}: there are two steps of that name`);
    if (step.profile !== null && !profileExists(step.profile)) {
      problems.push(`${where}: there is no profile "${step.profile}" (errand profile ls lists them)`);
    }
    for (const problem of promptProblems(step.prompt, seen, step.name)) problems.push(`${where}: ${problem}`);
    seen.push(step.name);
  }
  return problems;
}
