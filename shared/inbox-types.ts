// Attention and the inbox: what needs the person, stored as items with their history.
import type { AttentionKind } from './protocol/events.js';

/** What an inbox item asks of the person; an attention kind the inbox has no word of its own for keeps its name. */
export type InboxKind = 'question' | 'tool_request' | 'result' | 'failure' | Exclude<AttentionKind, 'needs_input' | 'finished' | 'failed'>;

export interface InboxItem {
  id: number;
  taskId: number;
  runId: number | null;
  kind: InboxKind;
  /** One line for the person, as the run put it: "no changes in the worktree", "you denied: npm publish", a question. */
  message: string;
  createdAt: number;
  seenAt: number | null;
  /** When it was dealt with (answered, approved, retried, discarded, dismissed…), and how; it has left the inbox. */
  resolvedAt: number | null;
  resolution: string | null;
  /** Snoozed (out of the inbox and its count) until then. */
  snoozedUntil: number | null;
  /** It came back from a snooze. */
  snoozeEnded: boolean;
  /** How much other work waits on this task (chain steps, dependents), as of this read. */
  blocked: number;
  /** It may interrupt the person now rather than wait for the next digest. */
  interrupts: boolean;
  prompt: string;
  repoName: string;
}

/** The inbox's counts: `open` items in it (the badge), of which `unseen`, and `snoozed` ones out of it for now. */
export interface InboxCount {
  open: number;
  unseen: number;
  snoozed: number;
}
/** A batch (many prompts filed at once) or a best-of group (one prompt given to several profiles). */
export const GROUP_KINDS = ['batch', 'best_of'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

export interface TaskGroupRef {
  id: number;
  kind: GroupKind;
}

/** What a dependent task waits for: its prerequisite's run to succeed, or its result to be merged. */
export type DependencyNeed = 'success' | 'merge';
