// The interface every agent CLI's module implements (DESIGN.md, "Agent adapters").
import type {
  AdapterId,
  PermissionRequest,
  ProfileInfo,
  ProfileOptions,
  ReplyGrant,
  RunKind,
  RunProgress,
  RunStatus,
} from '../../../shared/domain.js';
import type { AgentInfo } from '../../../shared/protocol/methods.js';
import type { BackendWiring } from './backend-wiring.js';

export interface LaunchContext {
  kind: RunKind;
  /** The task's prompt (kind start), or the person's message (reply, resume). */
  prompt: string;
  /** A file holding `prompt`, for agents that take it by path or on stdin. */
  promptFile: string;
  worktree: string;
  /** The agent session to continue (reply, resume). */
  sessionId: string | null;
  /** The binary detection found for this adapter, if any. */
  binary: string | null;
  /**
   * How the task's run before this one ended, for a reply or resume. A reply to a run that ended refusing something
   * (needs_input, with the grant its verdict offered) runs with that grant, for CLIs that cannot be asked live (Codex).
   */
  previous?: { status: RunStatus; replyGrant: ReplyGrant | null } | null;
}

export interface LaunchSpec {
  argv: string[];
  env: Record<string, string>;
  /** Feed this file to the agent's stdin instead of the terminal. */
  stdinFile?: string;
  /**
   * Give the agent a pipe as stdin instead of the terminal, for a JSON protocol there: CLIs refuse a terminal as
   * their input stream. `input` is written to it at once; answers and follow-ups go to it later.
   */
  inputPipe?: boolean;
  /** Written to the agent's stdin (its pipe, else its terminal) once it has started. */
  input?: string;
  /** A session id chosen up front, when the CLI lets the caller pick one. */
  sessionId?: string;
}

export interface ExitInfo {
  exitCode: number;
  signal: number | null;
}

export interface Verdict {
  // needs_input: it ended wanting something it was refused; a reply can grant it.
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'unknown' | 'needs_input'>;
  reason: string | null;
  /** The agent's final answer, when the verdict comes with one. */
  resultText?: string | null;
  /** With needs_input: what a reply may allow, named in `reason` for the person. */
  replyGrant?: ReplyGrant;
}

/** What an interpreter concluded from the agent's output. */
export type Signal =
  | { type: 'needs_input'; question: string; request?: PermissionRequest }
  | { type: 'running' }
  | { type: 'session'; sessionId: string }
  | { type: 'progress'; progress: RunProgress }
  /** The agent finished its turn; the engine ends its process and keeps this verdict. */
  | { type: 'done'; verdict: Verdict; resultText: string | null };

export interface Interpreter {
  /** Structured adapters read each batch of output (the CLI's JSON lines). Runs on the hot path: keep it cheap. */
  onOutput?(batch: Buffer): Signal[];
  /** Screen heuristics run after the output has been quiet this long; null turns them off. */
  readonly quietMs: number | null;
  /** How many lines from the bottom of the screen `onQuiet` wants. */
  readonly screenLines: number;
  onQuiet(lastLines: string[]): Signal | null;
  /** Judges the end; `done` is the verdict the output gave earlier, if any. */
  onExit(exit: ExitInfo, done: Verdict | null): Verdict;
}

/** `answer`: the person replied in words (`errand reply`) while the agent waited; a question tool takes them as its answer. */
/** `always`: the person allowed it from now on, and the CLI's own "always" fits what Errand remembered (OpenCode). */
export type Decision = { behavior: 'allow'; always?: boolean } | { behavior: 'deny'; message: string } | { behavior: 'answer'; message: string };

export type Detection = AgentInfo;

export interface AgentAdapter {
  readonly id: AdapterId;
  /** The executable names to look for; empty for the command adapter, which runs what its profile says. */
  readonly binaryNames: readonly string[];
  readonly install: string;
  /** A reply or resume needs no session id: the CLI keeps its history in the worktree (Aider). */
  readonly continuesWithoutSession?: boolean;
  /** The environment variable that holds the CLI's model base URL: the engine watches that endpoint for a run. */
  readonly modelUrlEnv?: string;
  /** How the CLI is pointed at a model backend (a profile's --backend); absent when it cannot use one (Gemini CLI). */
  readonly backend?: BackendWiring;
  /** The options of the built-in profile Errand makes when it finds this CLI. */
  readonly defaultOptions?: ProfileOptions;
  /** Parses `<binary> --version` output, or says why the binary is unusable. */
  version?(output: string): string | null;
  launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec;
  interpreter(profile: ProfileInfo): Interpreter;
  /** Bytes that answer a permission request in the live session, or null when the CLI cannot be answered. */
  answer?(request: PermissionRequest, decision: Decision): string | null;
  /** Bytes that send a follow-up message into the live session, or null when a reply needs a resumed run. */
  followUp?(message: string): string | null;
}
