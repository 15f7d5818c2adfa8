// Collisions, the merge train and hygiene.
import type { CheckResult } from './domain.js';

/** Another open task of the same repo whose changes touch some of the same files. */
export interface TaskOverlap {
  taskId: number;
  files: string[];
}

/** Where one task stands in a merge train. */
export const TRAIN_ITEM_STATES = ['waiting', 'rebasing', 'checking', 'merging', 'merged', 'sent_back', 'skipped'] as const;
export type TrainItemState = (typeof TRAIN_ITEM_STATES)[number];

export interface TrainItem {
  taskId: number;
  state: TrainItemState;
  /** What happened to it, for the person: why it was sent back or skipped, what it merged as. */
  message: string | null;
  /** Its branch was rebased onto a base that moved: the repo's check must pass again before it merges. */
  needsCheck: boolean;
  /** The check that ran on it after its rebase. */
  check: CheckResult | null;
}

/** `running` until every item is merged, sent back or skipped (`done`); a train the engine stopped under goes on at its next start. */
export type TrainStatus = 'running' | 'done';

export interface TrainInfo {
  id: number;
  repoId: number;
  status: TrainStatus;
  /** In merge order. */
  items: TrainItem[];
  createdAt: number;
  endedAt: number | null;
}

/** `errand gc`: a finished task's worktree, and whether it can go. */
export interface GcEntry {
  taskId: number;
  repoPath: string;
  worktree: string;
  /** The branch goes too (its work is in the base, or there is none); a kept branch or an open PR's stays. */
  branch: string | null;
  bytes: number | null;
  /** Why it is kept: uncommitted or unmerged work, named. Null when it can be reclaimed. */
  keptBecause: string | null;
  reclaimed: boolean;
}

/** `errand ls --disk`: the space a repo's worktrees take. */
export interface RepoDisk {
  repoId: number;
  path: string;
  worktrees: number;
  /** Bytes, counted with du; null when it could not be counted in time. */
  bytes: number | null;
}
