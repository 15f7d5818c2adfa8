// Every request the engine accepts: its name, its params schema, and the shape of its result.
// The engine validates params against these schemas before anything acts on them.
import { z } from 'zod';
import { ADAPTER_IDS, CONFIG_KEYS, MERGE_STRATEGIES, RUN_STATUSES, looksSecret } from '../domain.js';
import { compileNeedsInputPattern } from '../needs-input-pattern.js';
import type {
  AdapterId,
  CheckResult,
  EngineStatus,
  ProfileInfo,
  RepoInfo,
  RunInfo,
  GcEntry,
  RepoDisk,
  RunStatus,
  TaskInfo,
  TaskOverlap,
  TrainInfo,
} from '../domain.js';
import { MAX_INPUT_CHARS, MAX_LIST_LIMIT, MAX_LOG_READ_BYTES, MAX_PROMPT_CHARS } from './limits.js';

const MAX_CHECK_RETRIES = 20;
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
    prompt: text(MAX_PROMPT_CHARS).refine((p) => p.trim().length > 0, 'is empty: say what the agent should do'),
    repo: absPath,
    profile: name,
    priority: z.number().int().min(-1000).max(1000).optional(),
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
  'task.decide': z.strictObject({ id, allow: z.boolean(), message: text(10_000).optional() }),
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
  'run.subscribe': z.strictObject({ taskId: id, attach: z.strictObject(termSize).optional() }),
  'run.unsubscribe': z.strictObject({ taskId: id }),

  'events.subscribe': empty,

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

export interface AgentInfo {
  adapter: AdapterId;
  found: boolean;
  binary: string | null;
  version: string | null;
  usable: boolean;
  problem: string | null;
  install: string;
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
  'events.subscribe': { tasks: TaskInfo[] };
  'review.collisions': { collisions: { taskId: number; overlaps: TaskOverlap[] }[] };
  'task.rebase': TaskInfo;
  'train.start': TrainInfo;
  'train.get': TrainInfo;
  'train.list': TrainInfo[];
  'gc.run': { entries: GcEntry[] };
  'repo.disk': { repos: RepoDisk[] };
}

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(methodSchemas, name);
}
