// Events the engine pushes to clients, as JSON-RPC notifications { method: 'event', params: EngineEvent }.
import type { CheckResult, DecisionRule, ReviewDetail, ReviewState, RunInfo, RunStatus, TaskInfo } from '../domain.js';

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
  // Remembered decisions: a rule stored or revoked, and a permission request the engine allowed by one.
  | { type: 'rule.added'; rule: DecisionRule; at: number }
  | { type: 'rule.removed'; rule: DecisionRule; at: number }
  | { type: 'run.auto_allowed'; taskId: number; runId: number; ruleId: number; request: string; at: number };
