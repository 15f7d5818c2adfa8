// How much of a client's requests the engine takes in at once: a bounded number in hand, and none while the client
// leaves what it was sent unread. The rest waits unread in the socket, so the client, not the engine, holds it.
import { MAX_MESSAGE_BYTES } from '../../../shared/protocol/limits.js';

/** Requests of one client handled at the same time. */
export const MAX_REQUESTS_IN_FLIGHT = 64;
/** Characters of one client's requests in hand at the same time (a message of the largest size is always taken). */
export const MAX_REQUEST_CHARS_IN_FLIGHT = 2 * MAX_MESSAGE_BYTES;
/** While a client has this much it was sent but has not read, its next requests wait: their answers would pile up. */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

/** The parts of a transport the intake needs. */
export interface IntakeTransport {
  /** Bytes written to the client that it has not taken yet. */
  unreadBytes(): number;
  pauseReading(): void;
  resumeReading(): void;
}

export class RequestIntake<T> {
  private queue: T[] = [];
  private head = 0;
  private inFlight = 0;
  private charsInFlight = 0;
  private paused = false;
  private stopped = false;

  constructor(
    private readonly transport: IntakeTransport,
    /** Answers one message; it must not reject. */
    private readonly handle: (message: T) => Promise<void>,
    private readonly charsOf: (message: T) => number,
  ) {}

  /** Takes messages as the transport decoded them; those that cannot start now wait, and reading pauses. */
  add(messages: T[]): void {
    if (this.stopped) return;
    for (const message of messages) this.queue.push(message);
    this.pump();
  }

  /** Starts what may start; call it again when the client has read what it was sent. */
  pump(): void {
    while (!this.stopped && this.head < this.queue.length && this.mayStart(this.queue[this.head]!)) {
      this.start(this.queue[this.head++]!);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    const waiting = this.head < this.queue.length;
    if (waiting && !this.paused) this.transport.pauseReading();
    if (!waiting && this.paused && !this.stopped) this.transport.resumeReading();
    this.paused = waiting;
  }

  /** Forgets what waits (the client is gone) and takes nothing more. */
  stop(): void {
    this.stopped = true;
    this.queue = [];
    this.head = 0;
  }

  private mayStart(message: T): boolean {
    if (this.transport.unreadBytes() >= MAX_UNREAD_BYTES) return false;
    if (this.inFlight === 0) return true;
    return this.inFlight < MAX_REQUESTS_IN_FLIGHT && this.charsInFlight + this.charsOf(message) <= MAX_REQUEST_CHARS_IN_FLIGHT;
  }

  private start(message: T): void {
    const chars = this.charsOf(message);
    this.inFlight++;
    this.charsInFlight += chars;
    void this.handle(message).finally(() => {
      this.inFlight--;
      this.charsInFlight -= chars;
      this.pump();
    });
  }
}
