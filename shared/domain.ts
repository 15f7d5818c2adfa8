// Domain types shared by the engine, its clients and the renderer. Plain data only. The parts' own types live beside
// this file and are re-exported, so every client imports from here.
export * from './schedule-types.js';
export * from './inbox-types.js';
export * from './backend-types.js';
export * from './chain-types.js';
export * from './train-types.js';
import type { ChainPosition } from './chain-types.js';
import type { InboxCount, TaskGroupRef } from './inbox-types.js';
import type { RetryNote } from './schedule-types.js';

export const RUN_STATUSES = [
  'queued',
  'starting',
  'running',
  'needs_input',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
  'unknown',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses in which a process may be alive and the engine owns it. */
export const LIVE_RUN_STATUSES: readonly RunStatus[] = ['starting', 'running', 'needs_input'];
export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
  'unknown',
];

export function isLiveStatus(status: RunStatus): boolean {
  return LIVE_RUN_STATUSES.includes(status);
}

export function isFinalStatus(status: RunStatus): boolean {
  return FINAL_RUN_STATUSES.includes(status);
}

/** Why a queued task has not started yet. */
export type WaitReason = 'global_cap' | 'repo_cap' | 'dependency' | 'chain' | 'start_at' | 'retry_backoff';

/** A wait reason, with the words that say what exactly it waits for ("task 12 to succeed"), when there are any. */
export interface TaskWait {
  reason: WaitReason;
  detail?: string;
}

export const ADAPTER_IDS = ['command', 'claude', 'codex', 'opencode', 'qwen', 'gemini', 'aider'] as const;
export type AdapterId = (typeof ADAPTER_IDS)[number];

/** What a run has got through, as far as its agent reports it. */
export interface RunProgress {
  todosDone?: number;
  todosTotal?: number;
  filesChanged?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  /** The agent is retrying a failed model call (attempt n). */
  retrying?: number;
  /** What the run is doing besides the agent's turn: the repo's check is running on its result. */
  phase?: 'checking';
}

/** How the repo's check command judged what the agent left in the worktree. */
export interface CheckResult {
  command: string;
  /** null when it was stopped (timed out, cancelled) rather than exiting. */
  exitCode: number | null;
  passed: boolean;
  timedOut: boolean;
  durationMs: number;
  /** The end of what the check printed (at most CHECK_TAIL_BYTES, terminal escapes removed). */
  outputTail: string;
  /** The failure went back to the agent in a follow-up run, instead of to the person. */
  sentBack: boolean;
}

/** The most of a check's output kept on its run and sent back to the agent. */
export const CHECK_TAIL_BYTES = 4096;

/** A tool the agent wants to use and is waiting for the person to allow or deny. */
export interface PermissionRequest {
  id: string;
  tool: string;
  input: unknown;
  /** One line for the person: "Bash: npm publish". */
  summary: string;
  /**
   * What the CLI itself offers to allow from now on for this tool, as patterns in Errand's rule syntax (Claude's
   * permission suggestions, OpenCode's `always`): `errand allow --always` takes them where they are no wider than asked.
   */
  always?: string[];
}

/** Where a remembered decision applies: the task's later requests, every task of its repo, or of its profile. */
export const RULE_SCOPES = ['task', 'repo', 'profile'] as const;
export type RuleScope = (typeof RULE_SCOPES)[number];

/**
 * A remembered "allow": a later permission request of the same CLI for `tool`, from a task in `scope`, whose every
 * subject (the command, path or URL asked for) matches one of `patterns`, is allowed by the engine without asking.
 * A pattern is exact text, or has `*` for any text; a shell command with control characters only matches exactly.
 */
export interface DecisionRule {
  id: number;
  scope: RuleScope;
  /** The task, repo or profile id. */
  scopeId: number;
  /** What the scope names, for the person: "task 5", "repo errand", "profile claude". */
  scopeName: string;
  adapter: AdapterId;
  tool: string;
  patterns: string[];
  /** "Bash(npm test *)": the tool and what it covers. */
  label: string;
  /** The task whose request the person answered. */
  fromTaskId: number | null;
  createdAt: number;
  appliedCount: number;
  lastAppliedAt: number | null;
}

export type RunKind = 'start' | 'reply' | 'resume';

/** A wider permission a reply runs with, once the person has seen what was refused (Codex: its sandbox). */
export interface ReplyGrant {
  sandbox: string;
  network: boolean;
}

/** How an agent CLI is run: everything beyond the adapter's defaults. */
export interface ProfileOptions {
  model?: string;
  permissionMode?: string;
  /** The CLI's path, overriding detection. */
  binary?: string;
  /** The model backend the agent is pointed at (`errand backend ls`, or a local server Errand detects). */
  backend?: string;
  /** The variable holding the agent's model endpoint, watched for rate limits and 5xx (a command profile names its own). */
  modelUrlEnv?: string;
  args?: string[];
}

/** How `errand approve --merge` brings a task's branch into the base branch. */
export const MERGE_STRATEGIES = ['squash', 'rebase', 'merge'] as const;
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];

export interface RepoInfo {
  id: number;
  path: string;
  name: string;
  baseBranch: string;
  setupCommand: string | null;
  copyFiles: string[];
  maxRunning: number | null;
  mergeStrategy: MergeStrategy;
  /** Run by /bin/sh in the worktree after the agent succeeds; its exit code decides the run. */
  checkCommand: string | null;
  /** How many times a failing check goes back to the agent before the task reaches the person. */
  checkRetries: number;
  checkTimeoutMs: number | null;
  /** A merged task's branch is deleted with its worktree (the default), or kept. */
  deleteMergedBranches: boolean;
  createdAt: number;
}

export interface NeedsInputRule {
  /** An RE2 regular expression (linear time: no backreferences or lookarounds) tested against the last screen lines. */
  pattern: string;
  /** How long the output must stay quiet before the rule is tested. */
  quietMs: number;
  /** How many screen lines, counted from the bottom, the pattern sees. */
  lines: number;
}

/** Where a profile's secret comes from at launch: the engine's environment, or the OS keychain. Never its value. */
export type SecretRef = { from: 'env'; name: string } | { from: 'keychain'; service: string; account: string };

/** How a reference is shown to the person: `env:NAME`, `keychain:SERVICE/ACCOUNT`. */
export function describeSecretRef(ref: SecretRef): string {
  return ref.from === 'env' ? `env:${ref.name}` : `keychain:${ref.service}/${ref.account}`;
}

/** Environment names whose value is taken for a secret: it may not be stored as plain text in a profile. */
// AUTHOR and AUTHORS are names, not secrets (GIT_AUTHOR_NAME); AUTHORIZATION is one.
const SECRET_ENV_NAME = /KEY|TOKEN|SECRET|PASSW(?:OR)?D|(?:^|_)PASS(?:_|$)|CREDENTIAL|AUTH(?!ORS?(?:_|$))/i;

export function looksSecret(envName: string): boolean {
  return SECRET_ENV_NAME.test(envName);
}

export interface ProfileInfo {
  id: number;
  name: string;
  adapter: AdapterId;
  /** argv template; `{prompt}` and `{prompt_file}` are replaced per run. Without either the prompt goes to stdin. */
  command: string[];
  /** Plain values, stored as they are. */
  env: Record<string, string>;
  /** Variables whose values are looked up at each launch and never stored; the store always fills this in. */
  secretEnv?: Record<string, SecretRef>;
  needsInput: NeedsInputRule | null;
  options: ProfileOptions;
  /** Made by Errand for a CLI it found; users make their own with `errand profile add`. */
  builtin: boolean;
  createdAt: number;
}

export interface RunInfo {
  id: number;
  taskId: number;
  attempt: number;
  status: RunStatus;
  command: string[] | null;
  worktree: string | null;
  branch: string | null;
  pid: number | null;
  exitCode: number | null;
  /** Why the run ended the way it did, or what it is waiting for: shown to the person as is. */
  reason: string | null;
  question: string | null;
  request: PermissionRequest | null;
  sessionId: string | null;
  kind: RunKind;
  /** For a reply or resume: what the person said. */
  message: string | null;
  /** The agent's final answer, when it gives one. */
  resultText: string | null;
  /** What `errand reply` may allow, when the run ended refused something its CLI cannot ask about live. */
  replyGrant: ReplyGrant | null;
  /** The repo's check, when it ran on this run's result. */
  check: CheckResult | null;
  /** The chain step (0-based) this run works on, when its task follows a chain. */
  step: number | null;
  /** The profile this attempt runs with, when not the task's own (a chain step's, or one a retry policy escalated to). */
  profileId: number | null;
  /** Why the engine made this attempt on its own (a retry or an escalation); null for one the person asked for. */
  retry: RetryNote | null;
  progress: RunProgress;
  logBytes: number;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

/**
 * Where a task's result stands with the person. A task whose latest run succeeded is `unreviewed`; approving makes it
 * `merged`, `pr_opened` or `kept` (`approved` while that is under way); `changes_requested` while a follow-up run works
 * on the person's feedback; `conflict` when its branch does not merge cleanly into the base.
 */
export const REVIEW_STATES = [
  'unreviewed',
  'approved',
  'merged',
  'pr_opened',
  'kept',
  'changes_requested',
  'discarded',
  'conflict',
  // A scheduled run that changed nothing: filed, not put before the person.
  'nothing_found',
] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** What came of the last review action, as far as the person needs it. */
export interface ReviewDetail {
  /** One line for the person: what happened and, where something is left to do, what to do. */
  message?: string;
  /** The commit that landed on the base branch (merged), or the branch's tip (kept, pr_opened). */
  commit?: string;
  conflictFiles?: string[];
  prUrl?: string;
  /** The conflict was found after another merge moved the base (not by an approval): a later clean check clears it. */
  baseMoved?: boolean;
}

export interface TaskInfo {
  id: number;
  prompt: string;
  repoId: number;
  repoPath: string;
  profile: string;
  priority: number;
  createdAt: number;
  /** The latest run's status. */
  status: RunStatus;
  run: RunInfo | null;
  waitReason: WaitReason | null;
  /** What exactly it waits for, in words, when the reason alone does not say. */
  waitDetail: string | null;
  /** Null until a run succeeds (and while a retry or reply runs). */
  review: ReviewState | null;
  reviewDetail: ReviewDetail | null;
  /** The batch or best-of group the task was filed in, if any. */
  group: TaskGroupRef | null;
  /** Where the task's chain stands, when it follows one. */
  chain: ChainPosition | null;
  /** The schedule that filed it, if one did. */
  scheduleId: number | null;
}

export interface EngineStatus {
  pid: number;
  version: string;
  dataDir: string;
  startedAt: number;
  clients: number;
  running: number;
  queued: number;
  maxRunning: number;
  /** What the inbox holds: the badge count. */
  inbox: InboxCount;
}

export const CONFIG_KEYS = ['max-running'] as const;
