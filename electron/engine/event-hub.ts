// Fans engine events out to watching clients, and keeps the ones worth remembering in the database.
import type { EngineEvent } from '../../shared/protocol/events.js';
import type { OutputSink } from './runner/run-output.js';
import type { EventsStore } from './store/events-store.js';

/** A watcher that has this much unread is cut off rather than let the engine's memory grow; it can reconnect. */
export const WATCHER_MAX_BUFFER_BYTES = 16 * 1024 * 1024;
const TRANSIENT: ReadonlySet<EngineEvent['type']> = new Set(['run.activity', 'run.output', 'run.dropped', 'run.progress']);
/** Held-back events kept for release; past this, the oldest go (they are recorded all the same). */
const MAX_HELD_EVENTS = 1000;

export interface Watcher extends OutputSink {
  /** `seq` numbers the events every watcher gets, from 1 at each engine start, so a gap shows a missed one. */
  send(event: EngineEvent, seq?: number): void;
  close(reason: string): void;
}

export class EventHub {
  private readonly watchers = new Map<number, Watcher>();
  private readonly listeners: ((event: EngineEvent) => void)[] = [];
  private readonly holds: ((event: EngineEvent) => boolean)[] = [];
  private held: EngineEvent[] = [];
  private lastSeq = 0;

  constructor(private readonly events: EventsStore) {}

  watch(watcher: Watcher): void {
    this.watchers.set(watcher.id, watcher);
  }

  unwatch(id: number): void {
    this.watchers.delete(id);
  }

  /** The number of the last event sent: a snapshot taken now is current as of it. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Numbers each event as it goes to clients (a held one when it is released), so the numbers clients see have no gaps. */
  private send(event: EngineEvent): void {
    const seq = ++this.lastSeq;
    for (const watcher of this.watchers.values()) {
      if (watcher.bufferedBytes() > WATCHER_MAX_BUFFER_BYTES) {
        this.watchers.delete(watcher.id);
        watcher.close('this client stopped reading events; reconnect to get a fresh snapshot');
        continue;
      }
      watcher.send(event, seq);
    }
  }

  /** Parts of the engine that follow what happens (after clients have been told). */
  listen(listener: (event: EngineEvent) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Keeps events a test picks from clients until they are released (a snoozed task's attention, until it wakes):
   * they are still recorded and given to the engine's own listeners at once.
   */
  holdBack(test: (event: EngineEvent) => boolean): void {
    this.holds.push(test);
  }

  /** Takes the held-back events that `which` picks off the hold; those `still` keeps go to clients now, in order. */
  release(which: (event: EngineEvent) => boolean, still: (event: EngineEvent) => boolean = () => true): void {
    const released = this.held.filter(which);
    this.held = this.held.filter((event) => !which(event));
    for (const event of released) if (still(event)) this.send(event);
  }

  emit(event: EngineEvent): void {
    if (!TRANSIENT.has(event.type)) {
      try {
        this.events.append(event);
      } catch (error) {
        console.error(`[engine] could not record event ${event.type}: ${(error as Error).message}`);
      }
    }
    if (this.holds.some((test) => test(event))) {
      this.held.push(event);
      if (this.held.length > MAX_HELD_EVENTS) this.held.shift();
    } else {
      this.send(event);
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`[engine] a listener failed on event ${event.type}: ${(error as Error).message}`);
      }
    }
  }
}
