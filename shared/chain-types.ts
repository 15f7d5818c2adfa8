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
