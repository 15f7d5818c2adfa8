// Chain templates: the built-in ones and those people save, each validated when saved (not at step 3).
import type { ChainStepSpec, ChainTemplate } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { Store } from '../store/store.js';
import { BUILTIN_CHAINS, builtinChain } from './builtin-chains.js';
import type { ChainsStore, NewStep } from './chains-store.js';
import { stepsProblems } from './variables.js';

/** A chain ready to attach to a new task: its steps, each with its profile's id (null: the task's). */
export interface ChainPlan {
  template: string;
  steps: NewStep[];
}

export class ChainTemplates {
  constructor(
    private readonly store: Store,
    private readonly chains: ChainsStore,
  ) {}

  list(): ChainTemplate[] {
    return [...BUILTIN_CHAINS, ...this.chains.templates()];
  }

  get(name: string): ChainTemplate {
    const template = builtinChain(name) ?? this.chains.template(name);
    if (!template) {
      throw new ErrandError('not_found', `There is no chain "${name}". Chains: ${this.list().map((c) => c.name).join(', ')} (errand chain ls).`);
    }
    return template;
  }

  add(name: string, description: string, steps: ChainStepSpec[], replace: boolean): ChainTemplate {
    if (builtinChain(name)) throw new ErrandError('conflict', `"${name}" is a built-in chain; give yours another name.`);
    if (!replace && this.chains.template(name)) throw new ErrandError('conflict', `A chain named "${name}" exists. Pass --replace to change it.`);
    this.refuseProblems(`Chain "${name}" was not saved`, steps);
    return this.chains.saveTemplate(name, description, steps);
  }

  remove(name: string): string {
    if (builtinChain(name)) throw new ErrandError('conflict', `"${name}" is a built-in chain and cannot be removed.`);
    if (!this.chains.removeTemplate(name)) throw new ErrandError('not_found', `There is no chain "${name}" of yours (errand chain ls).`);
    return name;
  }

  /** The chain for a new task, checked again: a profile it names may have been removed since it was saved. */
  plan(name: string): ChainPlan {
    const template = this.get(name);
    this.refuseProblems(`Chain "${name}" cannot be used`, template.steps);
    return {
      template: name,
      steps: template.steps.map((s) => ({
        name: s.name,
        gate: s.gate,
        prompt: s.prompt,
        profileId: s.profile === null ? null : this.store.profiles.byName(s.profile)!.id,
      })),
    };
  }

  private refuseProblems(what: string, steps: readonly ChainStepSpec[]): void {
    const problems = stepsProblems(steps, (profile) => this.store.profiles.byName(profile) !== null);
    if (problems.length > 0) throw new ErrandError('invalid_params', `${what}: ${problems.join('; ')}.`);
  }
}
