// Fans engine events out to watching clients, and keeps the ones worth remembering in the database.
import type { EngineEvent } from '../../shared/protocol/events.js';
import type { OutputSink } from './runner/run-output.js';
import type { EventsStore } from './store/events-store.js';

/** A watcher that has this much unread is cut off rather than let the engine's memory grow; it can reconnect. */
export const WATCHER_MAX_BUFFER_BYTES = 16 * 1024 * 1024;
const TRANSIENT: ReadonlySet<EngineEvent['type']> = new Set(['run.activity', 'run.output', 'run.dropped', 'run.progress']);

export interface Watcher extends OutputSink {
  /** `seq` numbers the events every watcher gets, from 1 at each engine start, so a gap shows a missed one. */
  send(event: EngineEvent, seq?: number): void;
  close(reason: string): void;
}

export class EventHub {
  private readonly watchers = new Map<number, Watcher>();
  private readonly listeners: ((event: EngineEvent) => void)[] = [];
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

  /** Parts of the engine that follow what happens (after clients have been told). */
  listen(listener: (event: EngineEvent) => void): void {
    this.listeners.push(listener);
  }

  emit(event: EngineEvent): void {
    const seq = ++this.lastSeq;
    if (!TRANSIENT.has(event.type)) {
      try {
        this.events.append(event);
      } catch (error) {
        console.error(`[engine] could not record event ${event.type}: ${(error as Error).message}`);
      }
    }
    for (const watcher of this.watchers.values()) {
      if (watcher.bufferedBytes() > WATCHER_MAX_BUFFER_BYTES) {
        this.watchers.delete(watcher.id);
        watcher.close('this client stopped reading events; reconnect to get a fresh snapshot');
        continue;
      }
      watcher.send(event, seq);
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
