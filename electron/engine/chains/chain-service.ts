// Chains on the engine's side: each step is a run of the task in its one worktree, launched exactly once when the step
// before it succeeds (the step and its launch are stored in one transaction); a failed or cancelled step halts the chain.
import type { ChainStepStatus, RunInfo, TaskInfo, TaskWait } from '../../../shared/domain.js';
import { isFinalStatus } from '../../../shared/domain.js';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import type { EventHub } from '../event-hub.js';
import type { RunManager } from '../run-manager.js';
import type { Scheduler } from '../scheduler.js';
import type { Store } from '../store/store.js';
import { recordedPlace } from '../worktrees/worktree-names.js';
import { ChainTemplates } from './chain-templates.js';
import type { ChainPlan } from './chain-templates.js';
import type { StoredChain } from './chains-store.js';
import { ChainsStore } from './chains-store.js';
import { renderFirstStep, renderStep } from './render-step.js';
import { stepSummary } from './step-summary.js';

const HALTING: readonly ChainStepStatus[] = ['failed', 'cancelled', 'interrupted'];

export interface ChainDeps {
  store: Store;
  hub: EventHub;
  runs: RunManager;
  scheduler: Scheduler;
  dataDir: string;
}

export function stepLabel(chain: StoredChain, idx: number): string {
  return `step ${idx + 1}/${chain.steps.length} ${chain.steps[idx]!.name}`;
}

export class ChainService {
  readonly chains: ChainsStore;
  readonly templates: ChainTemplates;
  /** Runs whose step's prompt is being prepared. */
  private readonly preparing = new Set<number>();

  constructor(readonly deps: ChainDeps) {
    this.chains = new ChainsStore(deps.store.db);
    this.templates = new ChainTemplates(deps.store, this.chains);
    deps.hub.listen((event) => this.follow(event));
    deps.scheduler.addGate((task) => this.gate(task));
    deps.runs.stepPrompt = (run) => (run.step === null ? null : (this.chains.chain(run.taskId)?.steps[run.step]?.rendered ?? null));
    deps.runs.checksRun = (run) => this.checksRun(run);
    deps.runs.endTakenOn = (run) => this.endTakenOn(run);
  }

  /** Attaches the chain to a new task and makes its first step's run (call inside the task's transaction). */
  start(taskId: number, plan: ChainPlan, taskPrompt: string): RunInfo {
    this.chains.attach(taskId, plan.template, plan.steps);
    const run = this.launch(this.chains.chain(taskId)!, 0);
    this.chains.setStep(taskId, 0, { rendered: renderFirstStep(plan.steps[0]!.prompt, taskPrompt) });
    return run;
  }

  /** At start: a step whose run ended while no engine followed it (or before it could act) is taken on now, once. */
  catchUp(): void {
    for (const taskId of this.chains.unfinished()) {
      const chain = this.chains.chain(taskId)!;
      const runId = chain.steps[chain.position]?.runId;
      const run = runId ? this.deps.store.runs.byId(runId) : null;
      if (run && isFinalStatus(run.status)) this.stepEnded(taskId, run.id);
    }
  }

  /** How many chain steps wait on what the task needs from the person now (its run's question, a gate, a halt). */
  blockedBy(taskId: number): number {
    const chain = this.chains.chain(taskId);
    if (!chain || chain.state === 'done') return 0;
    const from = chain.state === 'running' ? chain.position + 1 : chain.position;
    return chain.steps.filter((s, i) => i >= from && s.status !== 'skipped').length;
  }

  private follow(event: EngineEvent): void {
    if (event.type === 'run.status' && isFinalStatus(event.status) && event.status !== event.previous) this.stepEnded(event.taskId, event.runId);
    else if (event.type === 'run.created') this.runCreated(event.run);
  }

  /** A run of the current step that the person made (a retry, a reply) or a check sent back: the step goes on with it. */
  private runCreated(run: RunInfo): void {
    const chain = run.step === null ? null : this.chains.chain(run.taskId);
    if (!chain || chain.state === 'done' || run.step !== chain.position) return;
    const step = chain.steps[chain.position]!;
    if (step.runId === run.id) return;
    // A fresh start of the step (a retry) runs it as it stands now, edits included; a reply stays with its session.
    if (run.kind === 'start') this.chains.setQueuedRunProfile(run.id, step.profileId);
    this.chains.setStep(run.taskId, chain.position, { status: 'active', runId: run.id });
    if (chain.state === 'halted') this.chains.setChain(run.taskId, 'running', chain.position);
    this.announce(run.taskId, chain.position);
  }

  stepEnded(taskId: number, runId: number): void {
    const outcome = this.deps.store.db.transaction(() => {
      const run = this.deps.store.runs.byId(runId);
      const chain = this.chains.chain(taskId);
      if (!run || run.step === null || !chain || chain.state === 'done' || chain.state === 'halted') return null;
      if (run.step !== chain.position || chain.steps[run.step]!.runId !== runId) return null;
      // Its check went back to the agent: the follow-up run carries the step on.
      if (run.status === 'failed' && run.check?.sentBack) return null;
      if (run.status === 'succeeded') return { from: run.step, next: this.advance(chain, run.step, 'succeeded') };
      const status: ChainStepStatus = HALTING.includes(run.status as ChainStepStatus) ? (run.status as ChainStepStatus) : 'failed';
      this.chains.setStep(taskId, run.step, { status });
      this.chains.setChain(taskId, 'halted', run.step);
      return { from: run.step, next: null, halted: { chain, run, status } };
    })();
    if (!outcome) return;
    this.announce(taskId, outcome.from);
    if (outcome.halted) {
      const { chain, run, status } = outcome.halted;
      const label = stepLabel(chain, run.step!);
      this.deps.hub.emit({
        type: 'attention',
        taskId,
        runId,
        kind: 'chain_halted',
        message:
          `${label} ${status}${run.reason ? `: ${run.reason}` : ''}. The chain stopped there: errand chain continue ${taskId} runs ` +
          `the step again, errand chain skip ${taskId} skips it, errand chain edit ${taskId} changes what is left.`,
        at: Date.now(),
      });
    }
    if (outcome.next) this.launched(outcome.next);
  }

  /**
   * Marks step `from` done and launches the next step not skipped; with none left the chain is done. Returns the new run.
   * Call inside a transaction.
   */
  advance(chain: StoredChain, from: number, status: ChainStepStatus): RunInfo | null {
    this.chains.setStep(chain.taskId, from, { status });
    const next = chain.steps.findIndex((s, i) => i > from && s.status !== 'skipped');
    if (next === -1) {
      this.chains.setChain(chain.taskId, 'done', from);
      return null;
    }
    return this.launch(chain, next);
  }

  /** Makes the step's run (queued; a gate holds it for the person). Call inside a transaction. */
  launch(chain: StoredChain, idx: number): RunInfo {
    const step = chain.steps[idx]!;
    const run = this.deps.store.runs.create(chain.taskId, 'start', null, null, { own: { step: idx, profileId: step.profileId } });
    this.chains.setStep(chain.taskId, idx, { status: step.gate ? 'waiting' : 'active', runId: run.id, rendered: null });
    this.chains.setChain(chain.taskId, step.gate ? 'waiting' : 'running', idx);
    return run;
  }

  /** Tells clients of a step's new run, and the person of a gate it waits at. */
  launched(run: RunInfo): void {
    this.deps.hub.emit({ type: 'run.created', run });
    const chain = this.announce(run.taskId, run.step!);
    if (chain?.state === 'waiting') {
      const message = `${stepLabel(chain, run.step!)} waits for your approval: errand chain continue ${run.taskId} starts it (errand chain skip ${run.taskId} skips it).`;
      this.deps.hub.emit({ type: 'attention', taskId: run.taskId, runId: run.id, kind: 'chain_gate', message, at: Date.now() });
    }
    this.deps.scheduler.poke();
  }

  announce(taskId: number, idx: number): StoredChain | null {
    const chain = this.chains.chain(taskId);
    const step = chain?.steps[idx];
    if (!chain || !step) return chain;
    const { state, position } = chain;
    this.deps.hub.emit({ type: 'chain.step', taskId, step: idx, name: step.name, status: step.status, state, position, total: chain.steps.length, at: Date.now() });
    return chain;
  }

  private gate(task: TaskInfo): TaskWait | null {
    const run = task.run;
    const chain = run?.step === null || !run ? null : this.chains.chain(task.id);
    if (!run || !chain || chain.state === 'done') return null;
    const step = chain.steps[run.step!];
    if (!step) return null;
    const label = stepLabel(chain, run.step!);
    if (step.status === 'waiting') return { reason: 'chain', detail: `your approval to start ${label}: errand chain continue ${task.id}` };
    if (this.deps.store.runs.forTask(task.id).some((r) => r.id !== run.id && this.deps.runs.isLive(r))) {
      return { reason: 'chain', detail: `the step before ${label} to end` };
    }
    if (step.rendered === null) {
      void this.prepare(task, run.id);
      return { reason: 'chain', detail: `preparing ${label}` };
    }
    return null;
  }

  /** Fills in the step's prompt; one that cannot be (a file it reads is missing or leads out) fails the step. */
  private async prepare(task: TaskInfo, runId: number): Promise<void> {
    if (this.preparing.has(runId)) return;
    this.preparing.add(runId);
    const { store } = this.deps;
    const chain = this.chains.chain(task.id)!;
    const idx = store.runs.byId(runId)!.step!;
    const prompt = chain.steps[idx]!.prompt;
    try {
      const rendered = await renderStep(prompt, {
        taskPrompt: task.prompt,
        steps: chain.steps,
        index: idx,
        worktree: recordedPlace(store.runs.forTask(task.id))?.path ?? null,
        summary: (i) => stepSummary(store, this.chains, this.deps.dataDir, chain.steps[i]!.runId),
      });
      // Edited meanwhile: prepared again from the new prompt.
      if (this.chains.chain(task.id)?.steps[idx]?.prompt === prompt) this.chains.setStep(task.id, idx, { rendered });
    } catch (error) {
      this.failPrepared(task.id, runId, error as Error);
    } finally {
      this.preparing.delete(runId);
      this.deps.scheduler.poke();
    }
  }

  private failPrepared(taskId: number, runId: number, error: Error): void {
    try {
      if (this.deps.store.runs.byId(runId)?.status !== 'queued') return;
      this.deps.runs.record(taskId, runId, { status: 'failed', reason: `could not start: ${error.message}`, endedAt: Date.now() });
    } catch (failure) {
      // The engine is stopping (its database closed): the step is prepared again at the next start.
      console.error(`[engine] could not fail run ${runId}, whose chain step could not start: ${(failure as Error).message}`);
    }
  }

  /** The repo's check judges the chain's result: it runs on its last step (and on any run of a task with no chain). */
  private checksRun(run: RunInfo): boolean {
    const chain = run.step === null ? null : this.chains.chain(run.taskId);
    return !chain || !chain.steps.some((s, i) => i > run.step! && s.status !== 'skipped');
  }

  /** A step's end is the chain's to act on: it goes on from a success (but the last), and raises its own item on a halt. */
  private endTakenOn(run: RunInfo): boolean {
    const chain = run.step === null ? null : this.chains.chain(run.taskId);
    const step = chain?.steps[run.step!];
    if (!chain || !step || step.runId !== run.id) return false;
    return step.status === 'succeeded' ? chain.state !== 'done' : HALTING.includes(step.status);
  }
}
