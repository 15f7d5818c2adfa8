// What the person does to a task's chain: go on past a gate or a halt, skip a step, edit one still to come.
import type { RunInfo, TaskChain } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { ChainService } from './chain-service.js';
import { stepLabel } from './chain-service.js';
import type { StoredChain } from './chains-store.js';
import { publicChain } from './chains-store.js';
import { promptProblems } from './variables.js';

export interface StepEdit {
  prompt?: string;
  /** null: the task's own profile. */
  profile?: string | null;
  gate?: boolean;
}

export class ChainActions {
  constructor(private readonly service: ChainService) {}

  get(taskId: number): TaskChain {
    return publicChain(this.chain(taskId));
  }

  /** Starts the step a gate holds, or runs the step the chain halted at again (as edited). */
  continue(taskId: number): TaskChain {
    const chain = this.chain(taskId);
    const { store } = this.service.deps;
    if (chain.state === 'waiting') {
      this.service.chains.setStep(taskId, chain.position, { status: 'active' });
      this.service.chains.setChain(taskId, 'running', chain.position);
      this.service.announce(taskId, chain.position);
      this.service.deps.scheduler.poke();
      return this.get(taskId);
    }
    if (chain.state !== 'halted') throw this.notNow(chain, 'continue');
    const run = store.db.transaction(() => {
      const made = this.service.launch(chain, chain.position);
      // The person has just said go: the step's gate, if it has one, is passed.
      this.service.chains.setStep(taskId, chain.position, { status: 'active' });
      this.service.chains.setChain(taskId, 'running', chain.position);
      return made;
    })();
    this.service.launched(run);
    return this.get(taskId);
  }

  /** Skips a step still to come, or the one the chain waits or halted at (and goes on to the next). */
  skip(taskId: number, name?: string): TaskChain {
    const chain = this.chain(taskId);
    const idx = name === undefined ? chain.position : this.indexOf(chain, name);
    const step = chain.steps[idx]!;
    if (chain.state === 'done') throw this.notNow(chain, 'skip a step');
    if (idx < chain.position || step.status === 'skipped') {
      throw new ErrandError('conflict', `${stepLabel(chain, idx)} is ${step.status}; only a step still to come can be skipped.`);
    }
    if (idx > chain.position) {
      this.service.chains.setStep(taskId, idx, { status: 'skipped' });
      this.service.announce(taskId, idx);
      return this.get(taskId);
    }
    if (chain.state === 'running') {
      throw new ErrandError('conflict', `${stepLabel(chain, idx)} is running. Cancel it (errand cancel ${taskId}), then skip it.`);
    }
    const held = chain.state === 'waiting' ? step.runId : null;
    const next: RunInfo | null = this.service.deps.store.db.transaction(() => this.service.advance(chain, idx, 'skipped'))();
    // The run the gate held never starts (the chain has moved on, so its end is not a halt).
    if (held !== null) this.service.deps.runs.record(taskId, held, { status: 'cancelled', reason: 'skipped by you', endedAt: Date.now() });
    this.service.announce(taskId, idx);
    if (next) this.service.launched(next);
    return this.get(taskId);
  }

  /** Changes a step still to come (or the one the chain waits or halted at): checked like a saved template. */
  edit(taskId: number, name: string, edit: StepEdit): TaskChain {
    const chain = this.chain(taskId);
    const idx = this.indexOf(chain, name);
    const step = chain.steps[idx]!;
    const current = idx === chain.position && (chain.state === 'halted' || chain.state === 'waiting');
    if (!(current || (idx > chain.position && step.status === 'pending'))) {
      throw new ErrandError('conflict', `${stepLabel(chain, idx)} is ${step.status}; only a step still to come, or the one the chain waits or halted at, can be edited.`);
    }
    const { store } = this.service.deps;
    const problems = edit.prompt === undefined ? [] : promptProblems(edit.prompt, chain.steps.slice(0, idx).map((s) => s.name), name);
    const profile = edit.profile ? store.profiles.byName(edit.profile) : null;
    if (edit.profile && !profile) problems.push(`there is no profile "${edit.profile}" (errand profile ls lists them)`);
    if (problems.length > 0) throw new ErrandError('invalid_params', `Step ${name} was not changed: ${problems.join('; ')}.`);
    const profileId = edit.profile === undefined ? step.profileId : (profile?.id ?? null);
    store.db.transaction(() => {
      this.service.chains.setStep(taskId, idx, { prompt: edit.prompt, profileId, gate: edit.gate, rendered: null });
      if (current && chain.state === 'waiting' && step.runId !== null) this.service.chains.setQueuedRunProfile(step.runId, profileId);
    })();
    this.service.announce(taskId, idx);
    if (current && chain.state === 'waiting' && edit.gate === false) return this.continue(taskId);
    return this.get(taskId);
  }

  private chain(taskId: number): StoredChain {
    const chain = this.service.chains.chain(taskId);
    if (chain) return chain;
    const task = this.service.deps.store.tasks.byId(taskId);
    throw new ErrandError('not_found', task ? `Task ${taskId} follows no chain.` : `There is no task ${taskId}. \`errand ls\` lists them.`);
  }

  private indexOf(chain: StoredChain, name: string): number {
    const idx = chain.steps.findIndex((s) => s.name === name);
    if (idx === -1) throw new ErrandError('not_found', `Task ${chain.taskId}'s chain has no step "${name}" (its steps: ${chain.steps.map((s) => s.name).join(', ')}).`);
    return idx;
  }

  private notNow(chain: StoredChain, doing: string): ErrandError {
    const where = chain.state === 'done' ? 'is done' : `is running ${stepLabel(chain, chain.position)}`;
    return new ErrandError('conflict', `Task ${chain.taskId}'s chain ${where}; there is nothing to ${doing}.`);
  }
}
