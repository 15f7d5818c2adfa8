// Starts queued runs in order (priority, then first in first out) within the global and per-repo caps.
import { cpus, totalmem } from 'node:os';
import type { TaskInfo, TaskWait } from '../../shared/domain.js';
import type { RunManager } from './run-manager.js';
import type { Store } from './store/store.js';

/** An agent CLI takes 0.2–0.7 GB; leave half the memory to everything else. */
const MEMORY_PER_AGENT_BYTES = 1024 ** 3;

export function defaultMaxRunning(cores = cpus().length, memoryBytes = totalmem()): number {
  const byMemory = Math.floor(memoryBytes / 2 / MEMORY_PER_AGENT_BYTES);
  return Math.max(1, Math.min(byMemory, cores * 2 + 2));
}

/**
 * Something besides the caps that may hold a queued task back (a dependency, a chain step, a start time): it says why,
 * or null when the task may start. Gates are asked in the order they were added; the first that holds the task wins.
 */
export type StartGate = (task: TaskInfo) => TaskWait | null;

export class Scheduler {
  private readonly waiting = new Map<number, TaskWait>();
  private readonly gates: StartGate[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly runs: RunManager,
  ) {}

  maxRunning(): number {
    return this.store.settings.getNumber('max-running') ?? defaultMaxRunning();
  }

  addGate(gate: StartGate): void {
    this.gates.push(gate);
  }

  /** Why a queued task is waiting, as of the last pass. */
  waitFor(taskId: number): TaskWait | null {
    return this.waiting.get(taskId) ?? null;
  }

  withWaitReason(task: TaskInfo): TaskInfo {
    if (task.status !== 'queued') return task;
    const wait = this.waitFor(task.id);
    return { ...task, waitReason: wait?.reason ?? null, waitDetail: wait?.detail ?? null };
  }

  /** Schedules a pass soon; many calls in one tick make one pass. */
  poke(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pass();
    });
  }

  pass(): void {
    const max = this.maxRunning();
    this.waiting.clear();
    for (const task of this.store.tasks.queued()) {
      const held = this.heldByGate(task);
      if (held) {
        this.waiting.set(task.id, held);
        continue;
      }
      if (this.runs.liveCount >= max) {
        this.waiting.set(task.id, { reason: 'global_cap' });
        continue;
      }
      const repo = this.store.repos.byId(task.repoId);
      if (repo?.maxRunning && this.runs.liveCountForRepo(task.repoId) >= repo.maxRunning) {
        this.waiting.set(task.id, { reason: 'repo_cap' });
        continue;
      }
      this.runs.start(task);
    }
  }

  private heldByGate(task: TaskInfo): TaskWait | null {
    for (const gate of this.gates) {
      const wait = gate(task);
      if (wait) return wait;
    }
    return null;
  }
}
