// The engine's unix socket: owner-only; each client on it is served by the dispatcher like any other transport's.
import { chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import type { Dispatcher } from './dispatcher.js';
import { SocketLink } from './socket-link.js';

export class SocketServer {
  private readonly server: Server;

  constructor(dispatcher: Dispatcher) {
    this.server = createServer((socket) => dispatcher.admit(new SocketLink(socket)));
  }

  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        chmodSync(path, 0o600);
        resolve();
      });
    });
  }

  /** Stops taking clients; resolves once those it had are gone (the dispatcher tells them why). */
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
