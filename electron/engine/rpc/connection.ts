// One client, whatever its transport: requests in, responses and events out, each way bounded.
import type { EngineEvent } from '../../../shared/protocol/events.js';
import type { DecodedLine } from '../../../shared/protocol/line-decoder.js';
import { encodeMessage } from '../../../shared/protocol/wire.js';
import type { ResponseMessage } from '../../../shared/protocol/wire.js';
import type { Watcher } from '../event-hub.js';
import type { ClientLink } from './client-link.js';
import { MAX_UNREAD_BYTES, RequestIntake } from './request-intake.js';

/** A client that leaves more than MAX_UNREAD_BYTES unread this long, without ever catching up, is dropped. */
export const CLIENT_MAX_STALL_MS = 10_000;
/** A client with this much unread is dropped at the next thing sent to it, however briefly it fell behind. */
export const MAX_UNSENT_BYTES = 32 * 1024 * 1024;

let nextConnectionId = 1;

export class Connection implements Watcher {
  readonly id = nextConnectionId++;
  private readonly intake: RequestIntake<DecodedLine>;
  private readonly drainCallbacks = new Set<() => void>();
  private stallTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly link: ClientLink,
    onLine: (line: DecodedLine, connection: Connection) => Promise<void>,
    onClose: (connection: Connection) => void,
  ) {
    this.intake = new RequestIntake(
      { unreadBytes: () => this.bufferedBytes(), pauseReading: () => link.pauseReading(), resumeReading: () => link.resumeReading() },
      (line) => onLine(line, this),
      (line) => (line.kind === 'line' ? line.text.length : 0),
    );
    link.onMessages((messages) => this.intake.add(messages));
    link.onDrain(() => this.drained());
    link.onClose(() => {
      this.closed = true;
      this.clearStall();
      this.intake.stop();
      onClose(this);
      for (const callback of this.drainCallbacks) callback();
      this.drainCallbacks.clear();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(event: EngineEvent, seq?: number): void {
    this.write(encodeMessage({ jsonrpc: '2.0', method: 'event', params: event, ...(seq !== undefined ? { seq } : {}) }));
  }

  reply(message: ResponseMessage): void {
    this.write(encodeMessage(message));
  }

  bufferedBytes(): number {
    return this.closed ? 0 : this.link.unsentBytes();
  }

  onceDrained(callback: () => void): void {
    if (this.closed) callback();
    else this.drainCallbacks.add(callback);
  }

  /** Says why, and hangs up once the client took it, or after a grace period if it does not. */
  close(reason: string): void {
    if (this.closed || this.link.ended) return;
    this.intake.stop();
    this.link.end(encodeMessage({ jsonrpc: '2.0', id: null, error: { code: 'engine_stopping', message: reason } }));
  }

  private drained(): void {
    this.clearStall();
    const callbacks = [...this.drainCallbacks];
    this.drainCallbacks.clear();
    for (const callback of callbacks) callback();
    this.intake.pump();
  }

  private write(text: string): void {
    if (this.closed || this.link.ended) return;
    if (this.link.unsentBytes() > MAX_UNSENT_BYTES) {
      this.drop(`it left more than ${MAX_UNSENT_BYTES} bytes unread`);
      return;
    }
    this.link.write(text);
    if (this.link.unsentBytes() > MAX_UNREAD_BYTES && !this.stallTimer) {
      this.stallTimer = setTimeout(() => this.onStalled(), CLIENT_MAX_STALL_MS);
    }
  }

  private onStalled(): void {
    this.stallTimer = null;
    if (this.bufferedBytes() > MAX_UNREAD_BYTES) {
      this.drop(`it left more than ${MAX_UNREAD_BYTES} bytes unread for ${CLIENT_MAX_STALL_MS / 1000} s`);
    }
  }

  private clearStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  /** The client is not reading, so a goodbye would never reach it: cut the connection and free what it held. */
  private drop(why: string): void {
    console.error(`[engine] dropped client ${this.id}: ${why}`);
    this.link.destroy();
  }
}
