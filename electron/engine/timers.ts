// One timer for every persisted wake-up time (snooze, --at, schedules, retry backoff). Times live in the database, so
// they survive restarts; a time that passed while the engine was down fires once when it starts, however late.
import type { TimersStore } from './store/timers-store.js';

export type TimerHandler = (key: number, at: number) => void;

/** Looked at again at least this often, so a clock that jumped (a laptop waking) is noticed within a minute. */
const MAX_TIMER_DELAY_MS = 60_000;
/** Due timers handled in one go; the rest follow on the next turn of the loop. */
const DUE_PER_TURN = 200;

export class Timers {
  private readonly handlers = new Map<string, TimerHandler>();
  private timer: NodeJS.Timeout | null = null;
  private armedAt: number | null = null;
  private started = false;

  constructor(
    private readonly store: TimersStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Registers what a kind of timer does when it fires; register every kind before start(). */
  on(kind: string, handler: TimerHandler): void {
    if (this.handlers.has(kind)) throw new Error(`timer kind "${kind}" has a handler already`);
    this.handlers.set(kind, handler);
  }

  set(kind: string, key: number, at: number): void {
    this.store.set(kind, key, at);
    this.arm();
  }

  clear(kind: string, key: number): boolean {
    return this.store.clear(kind, key);
  }

  at(kind: string, key: number): number | null {
    return this.store.get(kind, key);
  }

  start(): void {
    this.started = true;
    this.fireDue();
  }

  stop(): void {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = null;
  }

  private fireDue(): void {
    this.timer = null;
    this.armedAt = null;
    if (!this.started) return;
    const due = this.store.due(this.now(), DUE_PER_TURN);
    for (const { kind, key, at } of due) {
      // Cleared before its handler runs: a handler may set the same timer again (the next occurrence of a schedule).
      this.store.clear(kind, key);
      const handler = this.handlers.get(kind);
      if (!handler) {
        console.error(`[engine] dropped a timer of unknown kind "${kind}" (key ${key})`);
        continue;
      }
      try {
        handler(key, at);
      } catch (error) {
        console.error(`[engine] a ${kind} timer for ${key} failed: ${(error as Error).message}`);
      }
    }
    if (due.length === DUE_PER_TURN) {
      this.timer = setTimeout(() => this.fireDue(), 0);
      return;
    }
    this.arm();
  }

  private arm(): void {
    if (!this.started) return;
    const soonest = this.store.soonest();
    if (soonest === null) return;
    if (this.timer && this.armedAt !== null && this.armedAt <= soonest) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.min(Math.max(soonest - this.now(), 0), MAX_TIMER_DELAY_MS);
    this.armedAt = this.now() + delay;
    this.timer = setTimeout(() => this.fireDue(), delay);
    this.timer.unref();
  }
}
