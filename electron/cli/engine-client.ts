// A connection to the engine's socket: requests with replies, and pushed events.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { EngineEvent } from '../../shared/protocol/events.js';
import { ErrandError, isProtocolError } from '../../shared/protocol/errors.js';
import { LineDecoder } from '../../shared/protocol/line-decoder.js';
import { MAX_MESSAGE_BYTES } from '../../shared/protocol/limits.js';
import { encodeMessage } from '../../shared/protocol/wire.js';
import type { ServerMessage } from '../../shared/protocol/wire.js';
import type { Method, MethodInput, MethodResults } from '../../shared/protocol/methods.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new LineDecoder(MAX_MESSAGE_BYTES);
  private eventListener: (event: EngineEvent) => void = () => {};
  private closeListener: (reason: string) => void = () => {};
  private closeReason = 'the engine closed the connection';

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const line of this.decoder.push(chunk)) {
        if (line.kind === 'line') this.onMessage(JSON.parse(line.text) as ServerMessage);
      }
    });
    socket.on('close', () => {
      for (const p of this.pending.values()) p.reject(new ErrandError('internal', `${this.closeReason}. Run the command again.`));
      this.pending.clear();
      this.closeListener(this.closeReason);
    });
    socket.on('error', (error) => (this.closeReason = `lost the engine connection (${error.message})`));
  }

  /** Connects, or rejects with the socket error (ENOENT / ECONNREFUSED when no engine listens). */
  static connect(path: string): Promise<EngineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new EngineClient(socket));
      });
      socket.once('error', reject);
    });
  }

  request<M extends Method>(method: M, params?: MethodInput<M>): Promise<MethodResults[M]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(encodeMessage({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) }));
    });
  }

  onEvent(listener: (event: EngineEvent) => void): void {
    this.eventListener = listener;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }

  /** Stops reading from the engine while our own output is backed up; the engine then slows the agent. */
  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.end();
  }

  private onMessage(message: ServerMessage): void {
    if ('method' in message) {
      this.eventListener(message.params);
      return;
    }
    if (message.id === null) {
      if ('error' in message) this.closeReason = message.error.message;
      return;
    }
    const pending = this.pending.get(message.id as number);
    if (!pending) return;
    this.pending.delete(message.id as number);
    if ('error' in message) {
      const e = message.error;
      pending.reject(isProtocolError(e) ? new ErrandError(e.code, e.message) : new Error(String(e)));
    } else pending.resolve(message.result);
  }
}
