// Events the engine pushes to clients, as JSON-RPC notifications { method: 'event', params: EngineEvent }.
import type { CheckResult, ReviewDetail, ReviewState, RunInfo, RunProgress, RunStatus, TaskInfo } from '../domain.js';

export type AttentionKind = 'needs_input' | 'failed' | 'finished' | 'interrupted';

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
      /** What a list row shows besides the status: how far it got, and since when. */
      attempt: number;
      progress: RunProgress;
      startedAt: number | null;
      endedAt: number | null;
      at: number;
    }
  /** Throttled: a run's progress changed (todos, files changed, tokens, cost, retries, the check phase); the whole of it. */
  | { type: 'run.progress'; taskId: number; runId: number; progress: RunProgress; at: number }
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
  | { type: 'attention'; taskId: number; runId: number; kind: AttentionKind; message: string; at: number };
