// How every adapter words what a run was refused or denied, a success that changed nothing, and a retrying model:
// the person reads the same thing whichever CLI ran.
import type { PermissionRequest } from '../../../shared/domain.js';

/** A succeeded run that left its worktree as it found it: no changed files and no commits beyond the base. */
export const NO_CHANGES = 'no changes in the worktree';
const LIST_MAX_CHARS = 1000;
/** The CLIs' shell tools: a request to use one is named by its command alone. */
const SHELL_TOOLS = new Set(['Bash', 'bash', 'run_shell_command', 'shell', 'exec_command']);

function listed(items: string[]): string {
  const text = [...new Set(items)].join('; ');
  return text.length > LIST_MAX_CHARS ? `${text.slice(0, LIST_MAX_CHARS - 1)}…` : text;
}

/** The CLIs' tools for asking the person (Claude's AskUserQuestion, OpenCode's question): answered in words, never refused. */
export const QUESTION_TOOLS: ReadonlySet<string> = new Set(['AskUserQuestion', 'question']);

/** What a request asked for, in the person's terms: the command for a shell tool ("npm publish"), else its summary. */
export function requestLabel(request: PermissionRequest): string {
  const colon = request.summary.indexOf(': ');
  return SHELL_TOOLS.has(request.tool) && colon !== -1 ? request.summary.slice(colon + 2) : request.summary;
}

/** A live run's reason while its agent retries a failing model call. */
export function retryingNote(attempt: number): string {
  return `retrying the model (attempt ${attempt})`;
}

/**
 * A run that ended having been refused what it asked for, by its mode or sandbox rather than by the person:
 * "Qwen Code was refused: run_shell_command: npm publish. <what to do>".
 */
export function refusedReason(agentName: string, refused: string[], whatToDo: string, by = ''): string {
  return `${agentName} was refused${by ? ` ${by}` : ''}: ${listed(refused)}.${whatToDo ? ` ${whatToDo}` : ''}`;
}

/** What to do about a refusal by a headless CLI that never asks (Qwen Code, Gemini CLI). */
export const HEADLESS_REFUSED_HINT = "Allow it in the profile (--permission-mode yolo, or -- --allowed-tools '<tool>(<command>)'), then errand reply.";

/** What the person denied while the run went on: "you denied: npm publish". */
export function deniedNote(denied: string[]): string {
  return `you denied: ${listed(denied)}`;
}

/**
 * The reason a succeeded run carries: what the person denied on the way and that it changed nothing, after the
 * agent's own reason if it gave one; null when there is nothing to add to "succeeded".
 */
export function successReason(reason: string | null, denied: string[], unchanged: boolean | null): string | null {
  const parts = [reason, denied.length > 0 ? deniedNote(denied) : null, unchanged === true ? NO_CHANGES : null].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : null;
}
