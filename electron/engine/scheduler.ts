// Starts queued runs in order (priority, then first in first out) within the global and per-repo caps.
import { cpus, totalmem } from 'node:os';
import type { TaskInfo, WaitReason } from '../../shared/domain.js';
import type { RunManager } from './run-manager.js';
import type { Store } from './store/store.js';

/** An agent CLI takes 0.2–0.7 GB; leave half the memory to everything else. */
const MEMORY_PER_AGENT_BYTES = 1024 ** 3;

export function defaultMaxRunning(cores = cpus().length, memoryBytes = totalmem()): number {
  const byMemory = Math.floor(memoryBytes / 2 / MEMORY_PER_AGENT_BYTES);
  return Math.max(1, Math.min(byMemory, cores * 2 + 2));
}

export class Scheduler {
  private readonly waiting = new Map<number, WaitReason>();
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly runs: RunManager,
  ) {}

  maxRunning(): number {
    return this.store.settings.getNumber('max-running') ?? defaultMaxRunning();
  }

  /** Why a queued task is waiting, as of the last pass. */
  waitReason(taskId: number): WaitReason | null {
    return this.waiting.get(taskId) ?? null;
  }

  withWaitReason(task: TaskInfo): TaskInfo {
    return task.status === 'queued' ? { ...task, waitReason: this.waitReason(task.id) } : task;
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
      if (this.runs.liveCount >= max) {
        this.waiting.set(task.id, 'global_cap');
        continue;
      }
      const repo = this.store.repos.byId(task.repoId);
      if (repo?.maxRunning && this.runs.liveCountForRepo(task.repoId) >= repo.maxRunning) {
        this.waiting.set(task.id, 'repo_cap');
        continue;
      }
      this.runs.start(task);
    }
  }
}
