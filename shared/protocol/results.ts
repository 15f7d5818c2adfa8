// What each method answers (MethodResults), and the shapes of those answers beyond the domain types.
import type {
  AdapterId,
  BackendCombo,
  BackendInfo,
  BackendStatus,
  ChainTemplate,
  CheckResult,
  DecisionRule,
  DependencyNeed,
  EngineStatus,
  GcEntry,
  GroupKind,
  InboxCount,
  InboxItem,
  ProfileBackendCheck,
  ProfileInfo,
  RepoDisk,
  RepoInfo,
  RetryPolicy,
  RunInfo,
  RunStatus,
  ScheduleInfo,
  TaskChain,
  TaskInfo,
  TaskOverlap,
  TrainInfo,
} from '../domain.js';

export interface TaskDetail {
  task: TaskInfo;
  runs: RunInfo[];
}

export interface Subscription {
  runId: number;
  status: RunStatus;
  /** Bytes of the log written before this subscription: live output events start exactly here. */
  offset: number;
  /** For an attach: the current screen as escape sequences that redraw it. */
  screen?: string;
}

export type ReviewFileStatus = 'added' | 'modified' | 'deleted' | 'renamed';

export interface ReviewFile {
  path: string;
  /** For a rename: where the file was. */
  oldPath: string | null;
  status: ReviewFileStatus;
  /** Lines added and removed; 0 for a binary file. */
  additions: number;
  deletions: number;
  binary: boolean;
}

export interface TaskReview {
  task: TaskInfo;
  /** The agent's final message; for a command profile, the last lines it printed. Null when there is none. */
  summary: string | null;
  /** The repo's check on the result under review, when the repo has one. */
  check: CheckResult | null;
  baseBranch: string;
  branch: string;
  /** The commit on the base branch the diff is taken against (the merge base of the branch and the base). */
  mergeBase: string;
  /** Where the changes were read: the worktree (uncommitted and untracked work included), or the branch alone. */
  source: 'worktree' | 'branch';
  files: ReviewFile[];
  /** More files changed than one answer lists; the totals count the listed ones. */
  filesTruncated: boolean;
  additions: number;
  deletions: number;
  /** The branch changes nothing against its base: no silent "done". */
  noChanges: boolean;
  /** Other open tasks of the repo whose changes touch some of the same files. */
  overlaps: TaskOverlap[];
  /** The unified diff, at most MAX_REVIEW_DIFF_BYTES of it. */
  diff: string;
  diffTruncated: boolean;
}

export interface GroupInfo {
  id: number;
  kind: GroupKind;
  createdAt: number;
  total: number;
  succeeded: number;
  /** Ended otherwise: failed, cancelled, interrupted or unknown. */
  failed: number;
  running: number;
  queued: number;
  taskIds: number[];
}

export interface GroupDetail {
  group: GroupInfo;
  tasks: TaskInfo[];
}

/** One task of a best-of group, as the comparison shows it. */
export interface Candidate {
  task: TaskInfo;
  summary: string | null;
  check: CheckResult | null;
  files: number;
  additions: number;
  deletions: number;
  noChanges: boolean;
  /** Summed over its runs, where its agent reported it. */
  costUsd: number | null;
  durationMs: number | null;
  /** Why there is no review of it (yet): "task 5 is running". */
  problem: string | null;
}

export interface Comparison {
  group: GroupInfo;
  candidates: Candidate[];
}

export interface DiscardedCandidate {
  taskId: number;
  worktree: string | null;
  branch: string | null;
  /** The task was still queued or running, and is (or would be) cancelled first. */
  cancelled: boolean;
  removed: string[];
}

export interface DependencyInfo {
  prereqId: number;
  needs: DependencyNeed;
  satisfiedAt: number | null;
}

export interface AgentInfo {
  adapter: AdapterId;
  found: boolean;
  binary: string | null;
  version: string | null;
  usable: boolean;
  problem: string | null;
  install: string;
}

export interface InboxList {
  /** Ranked: most work blocked first, then longest waiting; history newest first; snoozed soonest back first. */
  items: InboxItem[];
  total: number;
  inbox: InboxCount;
  nextDigestAt: number | null;
  snoozedTasks: { taskId: number; until: number }[];
}

export interface DigestSetting {
  /** "09:00", sorted; empty when there is no digest (then everything may interrupt). */
  times: string[];
  timeZone: string | null;
  nextAt: number | null;
  /** The next one in the setting's zone: "Thu 3 Dec 09:00". */
  nextText: string | null;
}

/** `errand models`: each backend's status, which agent CLIs can run on it, and each profile bound to one. */
export interface ModelsReport {
  backends: BackendStatus[];
  combos: BackendCombo[];
  profiles: ProfileBackendCheck[];
}

/** What each method answers (its params are in methods.ts). */
export interface MethodResults {
  'engine.status': EngineStatus;
  'engine.stop': { stopping: true };
  'repo.add': RepoInfo;
  'repo.list': RepoInfo[];
  'profile.add': ProfileInfo;
  'profile.list': ProfileInfo[];
  'profile.remove': { removed: string };
  'agents.list': { agents: AgentInfo[]; profiles: ProfileInfo[] };
  'config.get': { maxRunning: number; defaultMaxRunning: number };
  'config.set': { maxRunning: number; defaultMaxRunning: number };
  'task.add': TaskInfo;
  'task.list': { tasks: TaskInfo[]; total: number };
  'task.search': { tasks: TaskInfo[] };
  'task.get': TaskDetail;
  'task.cancel': TaskInfo;
  'task.retry': TaskInfo;
  'task.clean': { removed: string[] };
  'task.decide': TaskInfo;
  'task.reply': TaskInfo;
  'task.resume': TaskInfo;
  'task.review': TaskReview;
  'task.approve': TaskInfo;
  'task.reject': TaskInfo;
  'task.discard': { task: TaskInfo; removed: string[] };
  'run.input': { written: number };
  'run.resize': { cols: number; rows: number };
  'run.screen': { runId: number; cols: number; rows: number; lines: string[] };
  'run.readLog': { runId: number; offset: number; data: string; size: number };
  'run.subscribe': Subscription;
  'run.unsubscribe': { unsubscribed: boolean };
  'inbox.list': InboxList;
  'inbox.seen': { itemIds: number[]; inbox: InboxCount };
  'inbox.dismiss': { itemIds: number[]; inbox: InboxCount };
  'inbox.snooze': { taskId: number | null; itemIds: number[]; until: number; untilText: string; inbox: InboxCount };
  'inbox.wake': { taskId: number | null; itemIds: number[]; inbox: InboxCount };
  'inbox.digest': DigestSetting;
  'batch.create': GroupInfo;
  'batch.list': { groups: GroupInfo[] };
  'batch.show': GroupDetail;
  'batch.retry': GroupInfo & { retried: number[] };
  'task.bestOf': GroupDetail;
  'group.compare': Comparison;
  'group.discardOthers': { kept: number; dryRun: boolean; discarded: DiscardedCandidate[] };
  'task.after': { task: TaskInfo; dependencies: DependencyInfo[] };
  'backend.add': BackendInfo;
  'backend.list': BackendInfo[];
  'backend.remove': { removed: string };
  'models.list': ModelsReport;
  'chain.add': ChainTemplate;
  'chain.list': ChainTemplate[];
  'chain.get': ChainTemplate;
  'chain.remove': { removed: string };
  'chain.status': TaskChain;
  'chain.continue': TaskChain;
  'chain.skip': TaskChain;
  'chain.edit': TaskChain;
  'schedule.add': ScheduleInfo;
  'schedule.list': { schedules: ScheduleInfo[] };
  'schedule.get': { schedule: ScheduleInfo; tasks: TaskInfo[] };
  'schedule.edit': ScheduleInfo;
  'schedule.pause': ScheduleInfo;
  'schedule.resume': ScheduleInfo;
  'schedule.remove': { removed: number };
  'retry.setPolicy': RetryPolicy;
  'retry.listPolicies': { policies: RetryPolicy[] };
  'retry.clearPolicy': { cleared: string };
  /** Bytes sent to this follower that it has not acknowledged yet. */
  'run.ack': { unacked: number };
  /** The snapshot, current as of event `seq` (events numbered after it follow). */
  'events.subscribe': { tasks: TaskInfo[]; seq: number };
  /** `url` carries the token: it is for the person who asked, on this machine. */
  'web.serve': { url: string; host: string; port: number };
  'rules.list': { rules: DecisionRule[] };
  'rules.remove': { removed: DecisionRule };
  'review.collisions': { collisions: { taskId: number; overlaps: TaskOverlap[] }[] };
  'task.rebase': TaskInfo;
  'train.start': TrainInfo;
  'train.get': TrainInfo;
  'train.list': TrainInfo[];
  'gc.run': { entries: GcEntry[] };
  'repo.disk': { repos: RepoDisk[] };
}
