// Every request the engine accepts: its name, its params schema, and the shape of its result.
// The engine validates params against these schemas before anything acts on them.
import { z } from 'zod';
import { ADAPTER_IDS, BACKEND_KINDS, CONFIG_KEYS, MERGE_STRATEGIES, RULE_SCOPES, RUN_STATUSES, looksSecret } from '../domain.js';
import { compileNeedsInputPattern } from '../needs-input-pattern.js';
import type {
  AdapterId,
  BackendCombo,
  BackendInfo,
  BackendStatus,
  ChainTemplate,
  TaskChain,
  CheckResult,
  DependencyNeed,
  DecisionRule,
  EngineStatus,
  InboxCount,
  InboxItem,
  GroupKind,
  ProfileBackendCheck,
  ProfileInfo,
  RepoInfo,
  RetryPolicy,
  RunInfo,
  GcEntry,
  RepoDisk,
  RunStatus,
  ScheduleInfo,
  TaskInfo,
  TaskOverlap,
  TrainInfo,
} from '../domain.js';
import {
  MAX_BATCH_TASKS,
  MAX_BEST_OF,
  MAX_INPUT_CHARS,
  MAX_LIST_LIMIT,
  MAX_LOG_READ_BYTES,
  MAX_PREREQUISITES,
  MAX_PROMPT_CHARS,
} from './limits.js';

const MAX_CHECK_RETRIES = 20;
const MAX_RETRIES = 20;
const MAX_BACKOFF_MS = 24 * 3600_000;
const MAX_TRAIN_TASKS = 100;
const MAX_CHECK_TIMEOUT_MS = 24 * 3600_000;
const NO_NUL = /^[^\u0000]*$/;
const text = (max: number) =>
  z.string().max(max).regex(NO_NUL, 'must not contain NUL characters (U+0000): no program can receive them as an argument');
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1–64 letters, digits, dots, dashes or underscores');
const absPath = text(4096).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path');
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const termSize = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };
const empty = z.strictObject({}).optional();
const prompt = text(MAX_PROMPT_CHARS).refine((p) => p.trim().length > 0, 'is empty: say what the agent should do');
const priority = z.number().int().min(-1000).max(1000);
/** Tasks a new task waits for: to succeed (--after), or to be merged (--after-merge). */
const prerequisites = {
  after: z.array(id).max(MAX_PREREQUISITES).optional(),
  afterMerge: z.array(id).max(MAX_PREREQUISITES).optional(),
};

export const needsInputRuleSchema = z.strictObject({
  pattern: text(1000).superRefine((pattern, ctx) => {
    const problem = needsInputPatternProblem(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  quietMs: z.number().int().min(100).max(600_000).default(1500),
  lines: z.number().int().min(1).max(100).default(5),
});

function needsInputPatternProblem(pattern: string): string | null {
  try {
    compileNeedsInputPattern(pattern);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names use letters, digits and _');
const MAX_PROFILE_ENV = 200;

const envSchema = z.record(envName, text(32_768)).superRefine((env, ctx) => {
  for (const key of Object.keys(env).filter(looksSecret)) {
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message:
        'looks like a secret, and a profile stores --env values as plain text. Refer to it instead: ' +
        `--env-from ${key}=VARIABLE (read from the engine's environment at each run) or ` +
        `--env-keychain ${key}=SERVICE/ACCOUNT (the OS keychain).`,
    });
  }
});

// Handed to the keychain tool as arguments of their own: one starting with - could read as an option.
const keychainPart = text(255).min(1).regex(/^[^-]/, 'must not start with -');
const secretRefSchema = z.discriminatedUnion('from', [
  z.strictObject({ from: z.literal('env'), name: envName }),
  z.strictObject({ from: z.literal('keychain'), service: keychainPart, account: keychainPart }),
]);

const attentionKind = z.string().regex(/^[a-z][a-z_]{0,31}$/, 'is not a kind of item (question, tool_request, result, failure, …)');
const snoozeTarget = { taskId: id.optional(), itemId: id.optional() };
const oneTarget = (p: { taskId?: number; itemId?: number }) => (p.taskId === undefined) !== (p.itemId === undefined);
/** A chain's name starts with a letter, so that a task id never reads as one. */
const chainName = z.string().regex(/^[A-Za-z][A-Za-z0-9._-]{0,63}$/, 'use a letter, then up to 63 letters, digits, dots, dashes or underscores');
const chainStep = z.strictObject({
  name: text(64),
  profile: name.nullable(),
  gate: z.boolean(),
  prompt: text(MAX_PROMPT_CHARS),
});

/** `errand approve --merge | --pr | --keep-branch`. */
export const APPROVE_ACTIONS = ['merge', 'pr', 'keep'] as const;
export type ApproveAction = (typeof APPROVE_ACTIONS)[number];

export const methodSchemas = {
  'engine.status': empty,
  'engine.stop': z.strictObject({ force: z.boolean().optional() }).optional(),

  'repo.add': z.strictObject({
    path: absPath,
    baseBranch: text(255).optional(),
    setupCommand: text(10_000).nullable().optional(),
    copyFiles: z.array(text(4096)).max(100).optional(),
    maxRunning: z.number().int().min(1).max(1000).nullable().optional(),
    mergeStrategy: z.enum(MERGE_STRATEGIES).optional(),
    checkCommand: text(10_000).nullable().optional(),
    checkRetries: z.number().int().min(0).max(MAX_CHECK_RETRIES).optional(),
    checkTimeoutMs: z.number().int().min(1000).max(MAX_CHECK_TIMEOUT_MS).nullable().optional(),
    deleteMergedBranches: z.boolean().optional(),
  }),
  'repo.list': empty,

  'profile.add': z
    .strictObject({
      name,
      adapter: z.enum(ADAPTER_IDS).default('command'),
      /** For the command adapter: the argv template. For an agent CLI: extra arguments. */
      command: z.array(text(MAX_PROMPT_CHARS)).max(1000).default([]),
      env: envSchema.optional(),
      /** Variables looked up at each launch, never stored: SecretRef. */
      secretEnv: z.record(envName, secretRefSchema).optional(),
      needsInput: needsInputRuleSchema.nullable().optional(),
      model: text(200).optional(),
      permissionMode: text(100).optional(),
      binary: absPath.optional(),
      /** The model backend the agent is pointed at (errand backend ls, or a detected local server). */
      backend: name.optional(),
      modelUrlEnv: envName.optional(),
      replace: z.boolean().optional(),
    })
    .refine((p) => p.adapter !== 'command' || p.command.length > 0, {
      message: 'a command profile needs a command: errand profile add NAME -- program args…',
      path: ['command'],
    })
    .superRefine((p, ctx) => {
      const literal = Object.keys(p.env ?? {});
      const refs = Object.keys(p.secretEnv ?? {});
      if (literal.length + refs.length > MAX_PROFILE_ENV) {
        ctx.addIssue({ code: 'custom', path: ['env'], message: `has more than ${MAX_PROFILE_ENV} variables` });
      }
      for (const key of refs.filter((k) => literal.includes(k))) {
        ctx.addIssue({ code: 'custom', path: ['env', key], message: 'is given both as a value and as a reference: give it once' });
      }
    }),
  'profile.list': empty,
  'profile.remove': z.strictObject({ name }),

  'agents.list': z.strictObject({ refresh: z.boolean().optional() }).optional(),

  'config.get': empty,
  'config.set': z.strictObject({ key: z.enum(CONFIG_KEYS), value: z.number().int().min(1).max(1000) }),

  'task.add': z.strictObject({
    prompt,
    repo: absPath,
    /** Optional with a chain whose every step names its profile. */
    profile: name.optional(),
    priority: priority.optional(),
    ...prerequisites,
    /** A chain template: the task runs its steps one after another. */
    chain: name.optional(),
    /** A natural time ("tonight 2am"): the task is held until then. */
    at: text(200).optional(),
    /** The person's IANA zone, for `at`. */
    timeZone: text(100).optional(),
  }),
  'task.list': z
    .strictObject({
      status: z.array(z.enum(RUN_STATUSES)).max(RUN_STATUSES.length).optional(),
      limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
    })
    .optional(),
  'task.search': z.strictObject({ query: text(1000).min(1), limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional() }),
  'task.get': z.strictObject({ id }),
  'task.cancel': z.strictObject({ id }),
  'task.retry': z.strictObject({ id }),
  'task.clean': z.strictObject({ id, force: z.boolean().optional() }),
  'task.decide': z
    .strictObject({ id, allow: z.boolean(), message: text(10_000).optional(), always: z.enum(RULE_SCOPES).optional() })
    .refine((p) => p.allow || p.always === undefined, { message: 'goes with allow only: a denial is never remembered', path: ['always'] }),
  'task.reply': z.strictObject({ id, message: text(MAX_PROMPT_CHARS).refine((m) => m.trim().length > 0, 'is empty: say what to tell the agent') }),
  'task.resume': z.strictObject({ id }),
  'task.review': z.strictObject({ id }),
  'task.approve': z.strictObject({ id, action: z.enum(APPROVE_ACTIONS) }),
  'task.reject': z.strictObject({
    id,
    feedback: text(MAX_PROMPT_CHARS).refine((m) => m.trim().length > 0, 'is empty: say what the agent should change'),
  }),
  'task.discard': z.strictObject({ id, force: z.boolean().optional() }),

  'run.input': z.strictObject({ taskId: id, data: z.string().min(1).max(MAX_INPUT_CHARS) }),
  'run.resize': z.strictObject({ taskId: id, ...termSize }),
  'run.screen': z.strictObject({ taskId: id }),
  'run.readLog': z.strictObject({
    taskId: id,
    runId: id.optional(),
    offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    length: z.number().int().min(1).max(MAX_LOG_READ_BYTES),
  }),
  'run.subscribe': z.strictObject({
    taskId: id,
    attach: z.strictObject(termSize).optional(),
    /** The client acknowledges what it renders with run.ack; the agent pauses while too much is unacknowledged. */
    ack: z.boolean().optional(),
  }),
  'run.unsubscribe': z.strictObject({ taskId: id }),
  /** The client has rendered the run's output up to this log offset (a follower subscribed with ack). */
  'run.ack': z.strictObject({ taskId: id, offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),

  'events.subscribe': empty,

  // Attention and the inbox (w-inbox): what needs the person, seen or not, dismissed, snoozed, and the digest.
  'inbox.list': z
    .strictObject({
      kinds: z.array(attentionKind).max(32).optional(),
      /** A repo's path or name. */
      repo: text(4096).min(1).optional(),
      /** History: every item, dealt with or not, newest first. */
      all: z.boolean().optional(),
      snoozed: z.boolean().optional(),
      limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
      /** Marks the items shown seen (the reply still shows which were new). */
      markSeen: z.boolean().optional(),
    })
    .optional(),
  'inbox.seen': z
    .strictObject({ itemIds: z.array(id).max(MAX_LIST_LIMIT).optional(), taskIds: z.array(id).max(MAX_LIST_LIMIT).optional(), all: z.boolean().optional() })
    .refine((p) => p.all || (p.itemIds?.length ?? 0) + (p.taskIds?.length ?? 0) > 0, 'name items or tasks, or pass all'),
  'inbox.dismiss': z
    .strictObject({ itemIds: z.array(id).max(MAX_LIST_LIMIT).optional(), taskIds: z.array(id).max(MAX_LIST_LIMIT).optional() })
    .refine((p) => (p.itemIds?.length ?? 0) + (p.taskIds?.length ?? 0) > 0, 'name items or tasks'),
  'inbox.snooze': z
    .strictObject({ ...snoozeTarget, when: text(200).min(1), timeZone: text(100).optional() })
    .refine(oneTarget, 'name a task or an item, not both'),
  'inbox.wake': z.strictObject(snoozeTarget).refine(oneTarget, 'name a task or an item, not both'),
  /** Without times: what is set. With them: the digest's times of day in timeZone; an empty list turns it off. */
  'inbox.digest': z.strictObject({ times: z.array(text(16)).max(48).optional(), timeZone: text(100).optional() }).optional(),
  // Batches, best-of-N and dependencies.
  'batch.create': z.strictObject({
    repo: absPath,
    /** For the tasks that name none. */
    profile: name.optional(),
    priority: priority.optional(),
    tasks: z
      .array(
        z.strictObject({
          prompt,
          profile: name.optional(),
          priority: priority.optional(),
          /** Where in the person's file it came from, so that an error can name the line. */
          line: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
        }),
      )
      .min(1, 'is empty: give one task per line, or a JSON array')
      .max(MAX_BATCH_TASKS, `holds more than ${MAX_BATCH_TASKS} tasks: split it into several batches`),
  }),
  'batch.list': z.strictObject({ limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional() }).optional(),
  'batch.show': z.strictObject({ id }),
  'batch.retry': z.strictObject({ id, failed: z.literal(true) }),
  'task.bestOf': z.strictObject({
    prompt,
    repo: absPath,
    profiles: z.array(name).min(2, 'needs two profiles or more to compare').max(MAX_BEST_OF),
    priority: priority.optional(),
    ...prerequisites,
  }),
  /** `id`: any task of the best-of group. */
  'group.compare': z.strictObject({ id }),
  /** Discards the worktrees of the group's other tasks than `id` (the one approved); with dryRun, only says which. */
  'group.discardOthers': z.strictObject({ id, dryRun: z.boolean().optional() }),
  'task.after': z.strictObject({ id, prereq: id, needs: z.enum(['success', 'merge']).optional() }),
  // ---- Model backends (issue 9, w-backends): the person's own, and local servers found on loopback.
  'backend.add': z.strictObject({
    name,
    kind: z.enum(BACKEND_KINDS),
    url: text(2048).min(1),
    /** Where its API key is at each use: never the key itself. */
    key: secretRefSchema.nullable().optional(),
    /** Requests it serves at once (default: the kind's; llama-server: its slots; cloud: no limit). */
    capacity: z.number().int().min(1).max(1000).nullable().optional(),
    replace: z.boolean().optional(),
  }),
  'backend.list': empty,
  'backend.remove': z.strictObject({ name }),
  /** Probes every backend (cached a few seconds unless refresh). */
  'models.list': z.strictObject({ refresh: z.boolean().optional() }).optional(),
  // Chains: templates (built-in and saved), and the chain of one task.
  'chain.add': z.strictObject({
    name: chainName,
    description: text(1000).optional(),
    steps: z.array(chainStep).min(1).max(50),
    replace: z.boolean().optional(),
  }),
  'chain.list': empty,
  'chain.get': z.strictObject({ name: chainName }),
  'chain.remove': z.strictObject({ name: chainName }),
  'chain.status': z.strictObject({ id }),
  'chain.continue': z.strictObject({ id }),
  'chain.skip': z.strictObject({ id, step: text(64).optional() }),
  'chain.edit': z
    .strictObject({ id, step: text(64), prompt: text(MAX_PROMPT_CHARS).optional(), profile: name.nullable().optional(), gate: z.boolean().optional() })
    .refine((p) => p.prompt !== undefined || p.profile !== undefined || p.gate !== undefined, 'says nothing to change: give a prompt, a profile or a gate'),
  // Schedules and retries (w-sched): recurring tasks, and each profile's retry policy and ladder.
  'schedule.add': z.strictObject({
    when: text(200).min(1),
    prompt: text(MAX_PROMPT_CHARS).refine((p) => p.trim().length > 0, 'is empty: say what the agent should do'),
    repo: absPath,
    profile: name,
    timeZone: text(100).optional(),
  }),
  'schedule.list': empty,
  'schedule.get': z.strictObject({ id }),
  'schedule.edit': z.strictObject({
    id,
    when: text(200).min(1).optional(),
    prompt: text(MAX_PROMPT_CHARS).refine((p) => p.trim().length > 0, 'is empty: say what the agent should do').optional(),
    repo: absPath.optional(),
    profile: name.optional(),
    timeZone: text(100).optional(),
  }),
  'schedule.pause': z.strictObject({ id }),
  'schedule.resume': z.strictObject({ id }),
  'schedule.remove': z.strictObject({ id }),
  'retry.setPolicy': z.strictObject({
    profile: name,
    retries: z.number().int().min(0).max(MAX_RETRIES).optional(),
    backoffMs: z.number().int().min(0).max(MAX_BACKOFF_MS).optional(),
    transientRetries: z.number().int().min(0).max(MAX_RETRIES).optional(),
    escalateTo: name.nullable().optional(),
  }),
  'retry.listPolicies': empty,
  'retry.clearPolicy': z.strictObject({ profile: name }),
  // Web mode (issue 10): `errand serve`.
  'web.serve': z.strictObject({ port: z.number().int().min(0).max(65_535).optional() }).optional(),
  // Remembered decisions (errand allow --always, errand rules).
  'rules.list': z.strictObject({ taskId: id.optional() }).optional(),
  'rules.remove': z.strictObject({ id }),
  // Collisions, the merge train and hygiene (issue 8).
  /** Which open tasks touch the same files as which others (all open tasks, or these). */
  'review.collisions': z.strictObject({ ids: z.array(id).max(MAX_LIST_LIMIT).optional() }).optional(),
  /** Sends a task whose branch no longer merges into its moved base back to its agent, to rebase and resolve. */
  'task.rebase': z.strictObject({ id }),
  /** Approves several tasks of one repo with --merge: merged one by one, each rebased and re-checked. */
  'train.start': z.strictObject({ ids: z.array(id).min(2).max(MAX_TRAIN_TASKS) }),
  'train.get': z.strictObject({ id }),
  'train.list': empty,
  /** Lists (and with `reclaim`, removes) the worktrees of finished tasks that hold no unsaved work. */
  'gc.run': z.strictObject({ reclaim: z.boolean() }),
  'repo.disk': empty,
} as const;

export type Method = keyof typeof methodSchemas;
export type MethodParams<M extends Method> = z.output<(typeof methodSchemas)[M]>;
export type MethodInput<M extends Method> = z.input<(typeof methodSchemas)[M]>;

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
  'run.ack': { unacked: number };
  'events.subscribe': { tasks: TaskInfo[]; seq: number };
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

/** `errand models`: each backend's status, which agent CLIs can run on it, and each profile bound to one. */
export interface ModelsReport {
  backends: BackendStatus[];
  combos: BackendCombo[];
  profiles: ProfileBackendCheck[];
  /** Bytes sent to this follower that it has not acknowledged yet. */
  /** The snapshot, current as of event `seq` (events numbered after it follow). */
  /** `url` carries the token: it is for the person who asked, on this machine. */
  // Remembered decisions.
}

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(methodSchemas, name);
}
