// What each attention event becomes in the inbox, and the words a burst of them is told in.
import type { InboxKind, RunInfo } from '../../../shared/domain.js';
import type { AttentionKind } from '../../../shared/protocol/events.js';

/** A live agent waits on these: they hold a run (and its slot) until the person answers. */
export const WAITING_KINDS: ReadonlySet<InboxKind> = new Set(['question', 'tool_request']);

/** A question tool waits like a permission request, but is answered in words. */
function asksForTool(run: RunInfo | null): boolean {
  return Boolean(run?.request && !/question/i.test(run.request.tool));
}

export function inboxKind(kind: AttentionKind, run: RunInfo | null): InboxKind {
  switch (kind) {
    case 'needs_input':
      return asksForTool(run) ? 'tool_request' : 'question';
    case 'finished':
      return 'result';
    case 'failed':
      return 'failure';
    default:
      return kind;
  }
}

/** Singular and plural, for "1 task finished", "10 tasks finished". */
const WORDS: Partial<Record<string, [string, string]>> = {
  result: ['task finished', 'tasks finished'],
  failure: ['task failed', 'tasks failed'],
  question: ['question', 'questions'],
  tool_request: ['tool request', 'tool requests'],
  interrupted: ['task interrupted', 'tasks interrupted'],
  conflict: ['conflict', 'conflicts'],
  chain_halted: ['chain halted', 'chains halted'],
};

export function kindWords(kind: string, n: number): string {
  const [one, many] = WORDS[kind] ?? [kind.replace(/_/g, ' '), kind.replace(/_/g, ' ')];
  return `${n} ${n === 1 ? one : many}`;
}

/** "10 tasks finished", "2 questions, 1 task failed": the kinds in the order they first came. */
export function burstText(kinds: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => kindWords(kind, n)).join(', ');
}

export function countKinds(kinds: readonly InboxKind[]): Partial<Record<InboxKind, number>> {
  const counts: Partial<Record<InboxKind, number>> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
