// errand add --at: the task is filed now and held by a start gate until its persisted timer fires.
import type { TaskInfo, TaskWait } from '../../../shared/domain.js';
import type { EventHub } from '../event-hub.js';
import { formatWhen, parseWhen } from '../natural-time.js';
import type { Scheduler } from '../scheduler.js';
import type { Store } from '../store/store.js';
import type { Timers } from '../timers.js';

export const START_AT_TIMER = 'start-at';

export class StartAt {
  constructor(
    private readonly store: Store,
    private readonly timers: Timers,
    scheduler: Scheduler,
    hub: EventHub,
  ) {
    // The timer is gone once it fires, and with it the gate's hold.
    timers.on(START_AT_TIMER, () => scheduler.poke());
    scheduler.addGate((task) => this.wait(task));
    // A task cancelled before its time is not held again when it is retried.
    hub.listen((event) => {
      if (event.type === 'run.status' && event.status === 'cancelled') timers.clear(START_AT_TIMER, event.taskId);
    });
  }

  /** The moment `at` names in `timeZone` (a past or unreadable one is refused); null without one. */
  when(at: string | undefined, timeZone: string | undefined): number | null {
    return at === undefined ? null : parseWhen(at, { timeZone });
  }

  hold(taskId: number, at: number): void {
    this.timers.set(START_AT_TIMER, taskId, at);
  }

  private wait(task: TaskInfo): TaskWait | null {
    const at = this.timers.at(START_AT_TIMER, task.id);
    if (at === null) return null;
    return { reason: 'start_at', detail: `starts ${formatWhen(at, this.store.tasks.timeZone(task.id) ?? undefined)}` };
  }
}
