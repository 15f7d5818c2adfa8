// One client on the engine's socket: newline-delimited JSON in, responses and events out.
import type { Socket } from 'node:net';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { LineDecoder } from '../../../shared/protocol/line-decoder.js';
import type { DecodedLine } from '../../../shared/protocol/line-decoder.js';
import { MAX_MESSAGE_BYTES } from '../../../shared/protocol/limits.js';
import { encodeMessage } from '../../../shared/protocol/wire.js';
import type { ResponseMessage } from '../../../shared/protocol/wire.js';
import type { Watcher } from '../event-hub.js';

let nextConnectionId = 1;

export class Connection implements Watcher {
  readonly id = nextConnectionId++;
  private readonly decoder = new LineDecoder(MAX_MESSAGE_BYTES);
  private readonly drainCallbacks = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly socket: Socket,
    onLine: (line: DecodedLine, connection: Connection) => void,
    onClose: (connection: Connection) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const line of this.decoder.push(chunk)) onLine(line, this);
    });
    socket.on('drain', () => {
      const callbacks = [...this.drainCallbacks];
      this.drainCallbacks.clear();
      for (const callback of callbacks) callback();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.closed = true;
      onClose(this);
      for (const callback of this.drainCallbacks) callback();
      this.drainCallbacks.clear();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(event: EngineEvent): void {
    this.write(encodeMessage({ jsonrpc: '2.0', method: 'event', params: event }));
  }

  reply(message: ResponseMessage): void {
    this.write(encodeMessage(message));
  }

  bufferedBytes(): number {
    return this.closed ? 0 : this.socket.writableLength;
  }

  onceDrained(callback: () => void): void {
    if (this.closed) callback();
    else this.drainCallbacks.add(callback);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.socket.end(encodeMessage({ jsonrpc: '2.0', id: null, error: { code: 'engine_stopping', message: reason } }));
    this.socket.destroySoon();
  }

  private write(text: string): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(text);
  }
}
