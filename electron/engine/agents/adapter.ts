// The interface every agent CLI's module implements (DESIGN.md, "Agent adapters").
import type { AdapterId, ProfileInfo, RunStatus } from '../../../shared/domain.js';

export interface LaunchContext {
  prompt: string;
  /** A file holding the prompt, for agents that take it by path or on stdin. */
  promptFile: string;
  worktree: string;
}

export interface LaunchSpec {
  argv: string[];
  env: Record<string, string>;
  /** Feed this file to the agent's stdin instead of the terminal. */
  stdinFile?: string;
}

/** What an interpreter concluded from the output. */
export type Signal = { status: 'needs_input'; question: string } | { status: 'running' };

export interface ExitInfo {
  exitCode: number;
  signal: number | null;
}

export interface Verdict {
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'unknown'>;
  reason: string | null;
}

export interface Interpreter {
  /** Screen heuristics run after the output has been quiet this long; null turns them off. */
  readonly quietMs: number | null;
  /** How many lines from the bottom of the screen `onQuiet` wants. */
  readonly screenLines: number;
  onQuiet(lastLines: string[]): Signal | null;
  onExit(exit: ExitInfo): Verdict;
}

export interface AgentAdapter {
  readonly id: AdapterId;
  launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec;
  interpreter(profile: ProfileInfo): Interpreter;
}
