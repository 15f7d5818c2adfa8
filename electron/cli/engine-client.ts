// The CLI's connection to the engine: the shared client core over the socket, one listener of each kind at a time.
import type { EngineEvent } from '../../shared/protocol/events.js';
import type { Method, MethodInput, MethodResults } from '../../shared/protocol/methods.js';
import { SocketClient } from '../client/socket-client.js';

/** A command runs once: no reconnect, no timeout (a merge may take long), and a lost engine says to run it again. */
const CLI_OPTIONS = { reconnect: false as const, requestTimeoutMs: null, lostMessage: (reason: string) => `${reason}. Run the command again.` };

export class EngineClient {
  private stopEvents: () => void = () => {};
  private stopClose: () => void = () => {};

  private constructor(private readonly client: SocketClient) {}

  /** Connects, or rejects with the socket error (ENOENT / ECONNREFUSED when no engine listens). */
  static async connect(path: string): Promise<EngineClient> {
    return new EngineClient(await SocketClient.connect(path, CLI_OPTIONS));
  }

  request<M extends Method>(method: M, params?: MethodInput<M>): Promise<MethodResults[M]> {
    return this.client.request(method, params);
  }

  /** Replaces the event listener. */
  onEvent(listener: (event: EngineEvent) => void): void {
    this.stopEvents();
    this.stopEvents = this.client.onEvent((event) => listener(event));
  }

  /** Replaces the listener told, with the reason, when the engine hangs up. */
  onClose(listener: (reason: string) => void): void {
    this.stopClose();
    this.stopClose = this.client.onState((state, reason) => {
      if (state === 'closed') listener(reason ?? 'the engine closed the connection');
    });
  }

  pauseReading(): void {
    this.client.pauseReading();
  }

  resumeReading(): void {
    this.client.resumeReading();
  }

  close(): void {
    this.client.close();
  }
}
