// Pushes a run's progress as it changes, at most one event per run per interval (the latest wins), so an agent that
// reports every token does not flood clients.
import type { RunProgress } from '../../shared/domain.js';
import type { EngineEvent } from '../../shared/protocol/events.js';

export const PROGRESS_INTERVAL_MS = 250;

export class ProgressEvents {
  private readonly held = new Map<number, { taskId: number; progress: RunProgress }>();
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(private readonly emit: (event: EngineEvent) => void) {}

  changed(taskId: number, runId: number, progress: RunProgress): void {
    if (this.timers.has(runId)) {
      this.held.set(runId, { taskId, progress });
      return;
    }
    this.emit({ type: 'run.progress', taskId, runId, progress, at: Date.now() });
    this.timers.set(
      runId,
      setTimeout(() => {
        this.timers.delete(runId);
        const latest = this.held.get(runId);
        this.held.delete(runId);
        if (latest) this.changed(latest.taskId, runId, latest.progress);
      }, PROGRESS_INTERVAL_MS),
    );
  }
}
