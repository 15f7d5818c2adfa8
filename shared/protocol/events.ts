// Events the engine pushes to clients, as JSON-RPC notifications { method: 'event', params: EngineEvent }.
import type {
  BackendInfo,
  ChainState,
  ChainStepStatus,
  CheckResult,
  DecisionRule,
  DependencyNeed,
  GroupKind,
  InboxCount,
  InboxItem,
  InboxKind,
  RetryNote,
  RetryPolicy,
  ReviewDetail,
  ReviewState,
  RunInfo,
  RunProgress,
  RunStatus,
  ScheduleInfo,
  TaskInfo,
  TaskOverlap,
  TrainInfo,
} from '../domain.js';

export type AttentionKind = 'needs_input' | 'failed' | 'finished' | 'interrupted' | 'chain_halted' | 'chain_gate' | 'conflict';

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
  | { type: 'attention'; taskId: number; runId: number; kind: AttentionKind; message: string; at: number }
  // The inbox (attention items): every change is pushed with the inbox's counts, so a UI or tray mirrors it.
  | { type: 'inbox.added'; item: InboxItem; inbox: InboxCount; at: number }
  | { type: 'inbox.seen'; itemIds: number[]; inbox: InboxCount; at: number }
  | { type: 'inbox.resolved'; itemIds: number[]; resolution: string; inbox: InboxCount; at: number }
  /** Items (or a task, and its attention to come) left the inbox until `until`. */
  | { type: 'inbox.snoozed'; taskId: number | null; itemIds: number[]; until: number; inbox: InboxCount; at: number }
  /** Items came back from a snooze, marked so; for a task, with the attention held back while it slept. */
  | { type: 'inbox.woken'; taskId: number | null; items: InboxItem[]; inbox: InboxCount; at: number }
  /**
   * What arrived in a burst, once it went quiet: one event for many ("10 tasks finished"). `interrupt` may interrupt
   * the person now; the rest wait for the digest at `nextDigestAt` (null: no digest is set, so all interrupt).
   */
  | {
      type: 'inbox.burst';
      count: number;
      kinds: Partial<Record<InboxKind, number>>;
      text: string;
      itemIds: number[];
      interrupt: number[];
      nextDigestAt: number | null;
      inbox: InboxCount;
      at: number;
    }
  /** At a digest time: the unseen items, ranked. */
  | { type: 'inbox.digest'; items: InboxItem[]; total: number; text: string; nextDigestAt: number | null; inbox: InboxCount; at: number }
  /** A batch or best-of group was filed (its tasks' own task.created events follow). */
  | { type: 'group.created'; groupId: number; kind: GroupKind; taskIds: number[]; at: number }
  /** A dependent task's prerequisite succeeded or was merged; `remaining` prerequisites are still to be met. */
  | { type: 'dependency.satisfied'; taskId: number; prereqId: number; needs: DependencyNeed; remaining: number; at: number }
  /** A prerequisite ended without success (or was discarded): the dependent waits, and `reason` says what to do. */
  | { type: 'dependency.blocked'; taskId: number; prereqId: number; needs: DependencyNeed; reason: string; at: number }
  /** A backend was added or changed (`backend` null: removed). */
  | { type: 'backend.changed'; name: string; backend: BackendInfo | null; at: number }
  /** A chain step's state changed (or the step was edited): `step` is 0-based, `position` the chain's current step. */
  | {
      type: 'chain.step';
      taskId: number;
      step: number;
      name: string;
      status: ChainStepStatus;
      state: ChainState;
      position: number;
      total: number;
      at: number;
    }
  // Schedules and retries (w-sched).
  /** A schedule was added, edited, paused or resumed, or its next occurrence moved. */
  | { type: 'schedule.changed'; schedule: ScheduleInfo; at: number }
  | { type: 'schedule.removed'; scheduleId: number; at: number }
  /** An occurrence came: the task it filed, or why it filed none. */
  | { type: 'schedule.fired'; scheduleId: number; taskId: number | null; skipped: string | null; at: number }
  /** A failed run is tried again without the person: `runId` is the new attempt, which starts at `startsAt`. */
  | { type: 'run.retry'; taskId: number; runId: number; failedRunId: number; retry: RetryNote; startsAt: number; at: number }
  /** A profile's retry policy was set (or cleared: null). */
  | { type: 'retry.policy'; profile: string; policy: RetryPolicy | null; at: number }
  // Remembered decisions: a rule stored or revoked, and a permission request the engine allowed by one.
  | { type: 'rule.added'; rule: DecisionRule; at: number }
  | { type: 'rule.removed'; rule: DecisionRule; at: number }
  | { type: 'run.auto_allowed'; taskId: number; runId: number; ruleId: number; request: string; at: number }
  // Collisions and the merge train (issue 8).
  /** The open tasks whose changes touch some of the same files as this one's changed. */
  | { type: 'task.collisions'; taskId: number; overlaps: TaskOverlap[]; at: number }
  /** After a merge, the repo's other open branches were tested against its new base (`conflicts`: the ones that no longer merge). */
  | { type: 'review.mergeCheck'; repoId: number; base: string; checked: number; conflicts: number[]; durationMs: number; at: number }
  | { type: 'train.started'; train: TrainInfo; at: number }
  /** One task of the train moved on (rebasing, checking, merging, merged, sent back, skipped). */
  | { type: 'train.step'; taskId: number; train: TrainInfo; at: number }
  | { type: 'train.ended'; train: TrainInfo; at: number };
