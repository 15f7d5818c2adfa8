// The client core over the engine's socket: what the CLI and Electron main talk to the engine with.
import { EngineConnection } from '../../shared/protocol/client/engine-connection.js';
import type { EngineConnectionOptions } from '../../shared/protocol/client/engine-connection.js';
import { SocketTransport } from './socket-transport.js';

export class SocketClient extends EngineConnection {
  private constructor(
    private readonly socket: SocketTransport,
    options: EngineConnectionOptions,
  ) {
    super(socket, options);
  }

  /** Connects, or rejects with the socket's error (ENOENT / ECONNREFUSED when no engine listens). */
  static async connect(socketPath: string, options: EngineConnectionOptions = {}): Promise<SocketClient> {
    const client = new SocketClient(new SocketTransport(socketPath), options);
    await client.connect();
    return client;
  }

  /** Stops reading from the engine while the client's own output is backed up; the engine then slows the agent. */
  pauseReading(): void {
    this.socket.pauseReading();
  }

  resumeReading(): void {
    this.socket.resumeReading();
  }
}
