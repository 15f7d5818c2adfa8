// Domain types shared by the engine, its clients and the renderer. Plain data only.
import type { AttentionKind } from './protocol/events.js';

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

/** Why an attempt was made without the person: a transient model error, the profile's retries, or its ladder. */
export interface RetryNote {
  kind: 'transient' | 'retry' | 'escalation';
  /** "retried after a rate limit (429)", "escalated to deep after: exited with code 1". */
  note: string;
  /** The profile the attempt runs with. */
  profile: string;
}

/** How a profile's failed runs are tried again: on its own profile, then up its ladder. */
export interface RetryPolicy {
  profile: string;
  /** Attempts after the first when the agent itself fails. */
  retries: number;
  /** The wait before a retry; a transient error's retries double it each time. */
  backoffMs: number;
  /** Retries of a transient model error (rate limit, 5xx), besides `retries`. */
  transientRetries: number;
  /** The profile tried next once `retries` are used up. */
  escalateTo: string | null;
}

/** A recurring task: what to run, where, and when, in the person's zone. */
export interface ScheduleInfo {
  id: number;
  /** What the person wrote: "every weekday 9:00", or a cron expression. */
  when: string;
  /** The same as a cron expression (minute hour day month weekday). */
  cron: string;
  prompt: string;
  repoId: number;
  repoPath: string;
  profile: string;
  timeZone: string;
  paused: boolean;
  /** The next occurrence, while it is not paused. */
  nextAt: number | null;
  lastAt: number | null;
  lastTaskId: number | null;
  createdAt: number;
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

// Attention and the inbox: what needs the person, stored as items with their history.

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
// ---- Model backends (issue 9): local servers and configured endpoints an agent profile can be pointed at.

/** Ollama, LM Studio and llama.cpp's llama-server run locally; openai and anthropic are any compatible URL. */
export const BACKEND_KINDS = ['ollama', 'lmstudio', 'llama-server', 'openai', 'anthropic'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];
export const LOCAL_BACKEND_KINDS: readonly BackendKind[] = ['ollama', 'lmstudio', 'llama-server'];

/** The model APIs a backend may serve: OpenAI chat completions and responses, Anthropic messages. */
export const MODEL_APIS = ['chat', 'responses', 'messages'] as const;
export type ModelApi = (typeof MODEL_APIS)[number];

/** A backend the person added (`errand backend add`). Its key is a reference, never the value. */
export interface BackendInfo {
  id: number;
  name: string;
  kind: BackendKind;
  url: string;
  key: SecretRef | null;
  /** Requests it serves at once; null: the kind's default (llama-server: its slots; cloud: no limit). */
  capacity: number | null;
  createdAt: number;
}

export interface BackendModel {
  name: string;
  loaded: boolean;
  /** The context it is loaded with (or serves), when the backend says. */
  contextLength: number | null;
}

export type BackendHealth = 'ok' | 'loading' | 'down' | 'error';

/** What a probe of a backend found (`errand models`). */
export interface BackendStatus {
  name: string;
  kind: BackendKind;
  url: string;
  /** configured: `errand backend add`; detected: found on loopback at its default port. */
  source: 'configured' | 'detected';
  health: BackendHealth;
  /** Why it is not ok, in words. */
  problem: string | null;
  version: string | null;
  models: BackendModel[];
  /** The loaded model's context (the smallest, when several are loaded). */
  contextLength: number | null;
  apis: ModelApi[];
  /** Requests at once; null: no limit known or set. */
  capacity: number | null;
  capacitySource: 'slots' | 'configured' | 'default' | 'none';
  /** Requests it is serving now, when it says (llama-server's slots). */
  busy: number | null;
  /** `env:NAME` or `keychain:…`, never the key. */
  key: string | null;
  warnings: string[];
  checkedAt: number;
}

/** Whether an agent CLI can run on a backend, and why not. */
export interface BackendCombo {
  adapter: AdapterId;
  backend: string;
  ok: boolean;
  why: string | null;
}

/** A profile bound to a backend, and what stands in its way. */
export interface ProfileBackendCheck {
  profile: string;
  adapter: AdapterId;
  backend: string;
  model: string | null;
  ok: boolean;
  problems: string[];
  warnings: string[];
}

// Chains: steps that run one after another in one task's worktree, each a profile and a prompt template.

/** One step of a chain: its profile (null: the task's own) and a prompt template; a gate waits for the person first. */
export interface ChainStepSpec {
  name: string;
  profile: string | null;
  /** The step waits for the person's approval (errand chain continue) before it starts. */
  gate: boolean;
  prompt: string;
}

export interface ChainTemplate {
  name: string;
  description: string;
  steps: ChainStepSpec[];
  builtin: boolean;
  createdAt: number | null;
}

/**
 * `pending` not reached yet; `waiting` reached, a gate waiting for the person; `active` its run is queued or live;
 * then how its last run ended, or `skipped` by the person.
 */
export const CHAIN_STEP_STATUSES = ['pending', 'waiting', 'active', 'succeeded', 'failed', 'cancelled', 'interrupted', 'skipped'] as const;
export type ChainStepStatus = (typeof CHAIN_STEP_STATUSES)[number];

/** `waiting` at a gate for the person; `halted` at a step that failed or was cancelled (fail closed). */
export const CHAIN_STATES = ['running', 'waiting', 'halted', 'done'] as const;
export type ChainState = (typeof CHAIN_STATES)[number];

export interface ChainStep extends ChainStepSpec {
  status: ChainStepStatus;
  /** The step's latest run. */
  runId: number | null;
}

export interface TaskChain {
  taskId: number;
  template: string;
  state: ChainState;
  /** The current step, 0-based. */
  position: number;
  steps: ChainStep[];
}

/** Where a task's chain stands, as `errand ls` shows it: "step 2/3 critique". */
export interface ChainPosition {
  template: string;
  /** 1-based. */
  step: number;
  of: number;
  name: string;
  state: ChainState;
}

// Collisions, the merge train and hygiene (issue 8).

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
