// The client core every client shares: typed requests with replies, pushed events, timeouts and reconnect.
// It knows nothing of how bytes travel: a ClientTransport does that.
import { ErrandError, isProtocolError } from '../errors.js';
import type { EngineEvent } from '../events.js';
import type { Method, MethodInput, MethodResults } from '../methods.js';
import type { RequestId, ServerMessage } from '../wire.js';
import { backoffDelayMs } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import type { ClientTransport } from './transport.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface EngineConnectionOptions {
  /** How long a request may wait for its answer by default; null waits as long as the link lasts. */
  requestTimeoutMs?: number | null;
  /** Reconnect after a lost link with this policy, or never (one command, one connection). */
  reconnect?: BackoffPolicy | false;
  /** What a request still waiting when the link is lost is rejected with, in the client's own words. */
  lostMessage?: (reason: string) => string;
  random?: () => number;
}

export interface RequestOptions {
  timeoutMs?: number | null;
}

/** A pushed event, with the sequence number the engine gave it (null for a run's output, sent to its followers only). */
export type EventListener = (event: EngineEvent, seq: number | null) => void;
export type StateListener = (state: ConnectionState, reason: string | null) => void;

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

const CLOSED_BY_CLIENT = 'the client closed the connection';

export class EngineConnection {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly eventListeners = new Set<EventListener>();
  private readonly stateListeners = new Set<StateListener>();
  private stateNow: ConnectionState = 'closed';
  private closeReason = 'the engine closed the connection';
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closedByClient = false;

  constructor(
    private readonly transport: ClientTransport,
    private readonly options: EngineConnectionOptions = {},
  ) {
    transport.onMessage((text) => this.onMessage(text));
    transport.onClose((reason) => this.onLinkClosed(reason));
  }

  get state(): ConnectionState {
    return this.stateNow;
  }

  /** Opens the link. When it fails and reconnecting is on, retries go on in the background until close(). */
  async connect(): Promise<void> {
    this.closedByClient = false;
    this.setState('connecting', null);
    try {
      await this.transport.connect();
    } catch (error) {
      this.setState('closed', (error as Error).message);
      this.scheduleReconnect();
      throw error;
    }
    this.attempt = 0;
    this.closeReason = 'the engine closed the connection';
    this.setState('open', null);
  }

  request<M extends Method>(method: M, params?: MethodInput<M>, options: RequestOptions = {}): Promise<MethodResults[M]> {
    if (this.stateNow !== 'open') {
      return Promise.reject(new ErrandError('internal', this.lost(`not connected to the engine (${this.closeReason})`)));
    }
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs !== undefined ? options.timeoutMs : (this.options.requestTimeoutMs ?? null);
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === null
          ? null
          : setTimeout(() => {
              this.pending.delete(id);
              reject(new ErrandError('timeout', `The engine did not answer ${method} within ${timeoutMs / 1000} s. Try again; if it keeps happening, see engine.log.`));
            }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.transport.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) }));
    });
  }

  /** Listens to pushed events; returns the function that stops it. */
  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Follows the link: 'open' again after a reconnect (take a fresh snapshot then), 'closed' with the reason. */
  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Closes for good: no reconnect, and waiting requests are rejected. */
  close(): void {
    this.closedByClient = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.stateNow === 'open') this.transport.close();
    else this.setState('closed', CLOSED_BY_CLIENT);
  }

  private onMessage(text: string): void {
    let message: ServerMessage & { seq?: number };
    try {
      message = JSON.parse(text) as ServerMessage & { seq?: number };
    } catch {
      return;
    }
    if ('method' in message) {
      const seq = typeof message.seq === 'number' ? message.seq : null;
      for (const listener of [...this.eventListeners]) listener(message.params, seq);
      return;
    }
    if (message.id === null) {
      // The engine's last word before it hangs up (it is stopping, or serves too many clients).
      if ('error' in message) this.closeReason = message.error.message;
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (pending.timer) clearTimeout(pending.timer);
    if ('error' in message) {
      const e = message.error;
      pending.reject(isProtocolError(e) ? new ErrandError(e.code, e.message, e.action) : new Error(String(e)));
    } else pending.resolve(message.result);
  }

  private onLinkClosed(reason: string): void {
    if (reason && this.closeReason === 'the engine closed the connection') this.closeReason = reason;
    const message = this.lost(this.closeReason);
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new ErrandError('internal', message));
    }
    this.pending.clear();
    this.setState('closed', this.closedByClient ? CLOSED_BY_CLIENT : this.closeReason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const policy = this.options.reconnect;
    if (!policy || this.closedByClient || this.retryTimer) return;
    const delay = backoffDelayMs(policy, this.attempt++, this.options.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closedByClient) this.connect().catch(() => {});
    }, delay);
  }

  private lost(reason: string): string {
    return this.options.lostMessage ? this.options.lostMessage(reason) : `${reason}. Try again once the engine is back.`;
  }

  private setState(state: ConnectionState, reason: string | null): void {
    this.stateNow = state;
    for (const listener of [...this.stateListeners]) listener(state, reason);
  }
}
