// Snoozing items and tasks: out of the inbox until a persisted wake-up time, then back, marked "snooze ended".
// A snoozed task keeps running; the attention it raises meanwhile is held back with it (a failure excepted).
import type { ItemsStore } from './items-store.js';
import type { Timers } from '../timers.js';

export const ITEM_SNOOZE_TIMER = 'snooze';
export const TASK_SNOOZE_TIMER = 'snooze-task';

/** Items that came back, and the task whose snooze ended (null for an item snoozed on its own). */
export type WakeListener = (taskId: number | null, itemIds: number[]) => void;

export class Snoozes {
  /** Snoozed tasks and until when: asked on every attention event, so kept in memory too. */
  private readonly tasks = new Map<number, number>();

  constructor(
    private readonly items: ItemsStore,
    private readonly timers: Timers,
    private readonly woke: WakeListener,
  ) {
    for (const { taskId, until } of items.taskSnoozes()) this.tasks.set(taskId, until);
    // A snooze moved since its timer was set is not woken by the old time.
    timers.on(ITEM_SNOOZE_TIMER, (itemId, at) => {
      if (this.items.byId(itemId)?.snoozedUntil === at) this.wakeItem(itemId);
    });
    timers.on(TASK_SNOOZE_TIMER, (taskId, at) => {
      if (this.tasks.get(taskId) === at) this.wakeTask(taskId);
    });
  }

  taskUntil(taskId: number): number | null {
    return this.tasks.get(taskId) ?? null;
  }

  snoozedTasks(): { taskId: number; until: number }[] {
    return [...this.tasks].map(([taskId, until]) => ({ taskId, until })).sort((a, b) => a.until - b.until);
  }

  /** Snoozes the task's items (but those snoozed on their own) and what it raises until then; returns the items. */
  snoozeTask(taskId: number, until: number): number[] {
    const ids = this.items.transaction(() => {
      this.items.setTaskSnooze(taskId, until);
      const open = this.items.openOfTask(taskId).filter((i) => i.snoozedUntil === null).map((i) => i.id);
      return this.items.snooze([...open, ...this.items.snoozedWithTask(taskId)], until, true);
    });
    this.tasks.set(taskId, until);
    this.timers.set(TASK_SNOOZE_TIMER, taskId, until);
    return ids;
  }

  snoozeItem(itemId: number, until: number): number[] {
    const ids = this.items.snooze([itemId], until, false);
    if (ids.length > 0) this.timers.set(ITEM_SNOOZE_TIMER, itemId, until);
    return ids;
  }

  /** Ends the task's snooze now; false when it was not snoozed. */
  wakeTask(taskId: number): boolean {
    if (!this.tasks.has(taskId)) return false;
    const ids = this.items.transaction(() => {
      this.items.clearTaskSnooze(taskId);
      return this.items.wake(this.items.snoozedWithTask(taskId));
    });
    this.tasks.delete(taskId);
    this.timers.clear(TASK_SNOOZE_TIMER, taskId);
    this.woke(taskId, ids);
    return true;
  }

  wakeItem(itemId: number): boolean {
    const ids = this.items.wake([itemId]);
    this.timers.clear(ITEM_SNOOZE_TIMER, itemId);
    if (ids.length === 0) return false;
    this.woke(null, ids);
    return true;
  }

  /** Items dealt with while snoozed need no wake-up. */
  forget(itemIds: readonly number[]): void {
    for (const id of itemIds) this.timers.clear(ITEM_SNOOZE_TIMER, id);
  }
}
