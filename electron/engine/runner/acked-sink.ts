// A run's follower that acknowledges the output it has rendered (a browser's terminal: a WebSocket cannot push back).
// How far behind it is counts what it was sent and has not acknowledged, besides what its transport still holds, so
// the PTY pauses for a terminal that renders slower than the agent prints, as it does for a socket left unread.
import type { EngineEvent } from '../../../shared/protocol/events.js';
import type { OutputSink } from './run-output.js';
import { SUBSCRIBER_HIGH_WATER_BYTES } from './run-output.js';

/** Waiting flow resumes once the unacknowledged output is down to this. */
export const ACK_LOW_WATER_BYTES = SUBSCRIBER_HIGH_WATER_BYTES / 2;

export class AckedSink implements OutputSink {
  private sentTo = 0;
  private ackedTo = 0;
  private readonly waiting = new Set<() => void>();
  private readonly onTransportDrained = (): void => this.release();

  constructor(private readonly transport: OutputSink) {}

  /** The log offset live output starts at for this follower: nothing before it is owed. */
  startAt(offset: number): void {
    this.sentTo = this.ackedTo = offset;
  }

  get id(): number {
    return this.transport.id;
  }

  send(event: EngineEvent): void {
    if (event.type === 'run.output') this.sentTo = event.offset + Buffer.byteLength(event.data, 'base64');
    this.transport.send(event);
  }

  /** Unacknowledged output, or the transport's backlog when that is larger. */
  bufferedBytes(): number {
    return Math.max(this.unacked(), this.transport.bufferedBytes());
  }

  onceDrained(callback: () => void): void {
    this.waiting.add(callback);
    this.transport.onceDrained(this.onTransportDrained);
  }

  /** The follower has rendered the log up to `offset`; returns how much it still owes. */
  ack(offset: number): number {
    this.ackedTo = Math.max(this.ackedTo, Math.min(offset, this.sentTo));
    this.release();
    return this.unacked();
  }

  private unacked(): number {
    return this.sentTo - this.ackedTo;
  }

  private release(): void {
    if (this.unacked() > ACK_LOW_WATER_BYTES) return;
    const callbacks = [...this.waiting];
    this.waiting.clear();
    for (const callback of callbacks) callback();
  }
}
