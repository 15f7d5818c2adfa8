// The engine's unix socket (a named pipe on Windows) as a client transport: newline-delimited JSON each way.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { ClientTransport } from '../../shared/protocol/client/transport.js';
import { LineDecoder } from '../../shared/protocol/line-decoder.js';
import { MAX_MESSAGE_BYTES } from '../../shared/protocol/limits.js';

export class SocketTransport implements ClientTransport {
  private socket: Socket | null = null;
  private messageListener: (text: string) => void = () => {};
  private closeListener: (reason: string) => void = () => {};

  constructor(private readonly path: string) {}

  /** Rejects with the socket's own error: ENOENT or ECONNREFUSED when no engine listens there. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.path);
      socket.once('connect', () => {
        socket.off('error', reject);
        this.adopt(socket);
        resolve();
      });
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket?.write(`${text}\n`);
  }

  onMessage(listener: (text: string) => void): void {
    this.messageListener = listener;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }

  /** Stops reading from the engine (our own output is backed up); the engine then slows the agent. */
  pauseReading(): void {
    this.socket?.pause();
  }

  resumeReading(): void {
    this.socket?.resume();
  }

  close(): void {
    this.socket?.end();
  }

  private adopt(socket: Socket): void {
    this.socket = socket;
    const decoder = new LineDecoder(MAX_MESSAGE_BYTES);
    let reason = '';
    socket.on('data', (chunk: Buffer) => {
      for (const line of decoder.push(chunk)) {
        if (line.kind === 'line') this.messageListener(line.text);
      }
    });
    socket.on('error', (error) => (reason = `lost the engine connection (${error.message})`));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      this.closeListener(reason);
    });
  }
}
