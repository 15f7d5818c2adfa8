// Events the engine pushes to clients, as JSON-RPC notifications { method: 'event', params: EngineEvent }.
import type { CheckResult, ReviewDetail, ReviewState, RunInfo, RunStatus, TaskInfo, TaskOverlap, TrainInfo } from '../domain.js';

export type AttentionKind = 'needs_input' | 'failed' | 'finished' | 'interrupted' | 'conflict';

export type EngineEvent =
  | { type: 'task.created'; task: TaskInfo }
  | { type: 'run.created'; run: RunInfo }
  | {
      type: 'run.status';
      taskId: number;
      runId: number;
      status: RunStatus;
      previous: RunStatus;
      reason: string | null;
      question: string | null;
      exitCode: number | null;
      /** The run's process is gone (its end is announced even when its verdict came earlier). */
      ended: boolean;
      at: number;
    }
  /** A run's changes that the disk could not take when they happened (it was full) are now stored. */
  | { type: 'run.saved'; taskId: number; runId: number; at: number }
  /** Throttled: that a run printed, and how much in all; the bytes themselves go to run subscribers only. */
  | { type: 'run.activity'; taskId: number; runId: number; logBytes: number; at: number }
  /** To subscribers of one run: output bytes (base64) starting at `offset` of its log. */
  | { type: 'run.output'; taskId: number; runId: number; offset: number; data: string }
  /** To a subscriber that fell too far behind: its live stream stopped; read the log from `offset` to catch up. */
  | { type: 'run.dropped'; taskId: number; runId: number; offset: number; reason: string }
  /** A task's review state changed (a run succeeded, or the person approved, rejected or discarded it). */
  | { type: 'task.review'; taskId: number; review: ReviewState | null; detail: ReviewDetail | null; at: number }
  /** The repo's check started on a run's result (`check` null), or ended with this result. */
  | { type: 'run.check'; taskId: number; runId: number; command: string; check: CheckResult | null; at: number }
  | { type: 'attention'; taskId: number; runId: number; kind: AttentionKind; message: string; at: number }
  // Collisions and the merge train (issue 8).
  /** The open tasks whose changes touch some of the same files as this one's changed. */
  | { type: 'task.collisions'; taskId: number; overlaps: TaskOverlap[]; at: number }
  /** After a merge, the repo's other open branches were tested against its new base (`conflicts`: the ones that no longer merge). */
  | { type: 'review.mergeCheck'; repoId: number; base: string; checked: number; conflicts: number[]; durationMs: number; at: number }
  | { type: 'train.started'; train: TrainInfo; at: number }
  /** One task of the train moved on (rebasing, checking, merging, merged, sent back, skipped). */
  | { type: 'train.step'; taskId: number; train: TrainInfo; at: number }
  | { type: 'train.ended'; train: TrainInfo; at: number };
