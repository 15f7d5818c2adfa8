// A client on the engine's unix socket: newline-delimited JSON, read as bytes arrive, bounded by the line decoder.
import type { Socket } from 'node:net';
import { LineDecoder } from '../../../shared/protocol/line-decoder.js';
import type { DecodedLine } from '../../../shared/protocol/line-decoder.js';
import { MAX_MESSAGE_BYTES } from '../../../shared/protocol/limits.js';
import type { ClientLink } from './client-link.js';

/** How long a closing client has to take its last messages before the connection is cut. */
export const CLOSE_GRACE_MS = 1000;

export class SocketLink implements ClientLink {
  private readonly decoder = new LineDecoder(MAX_MESSAGE_BYTES);

  constructor(private readonly socket: Socket) {
    socket.on('error', () => socket.destroy());
  }

  get ended(): boolean {
    return this.socket.destroyed || this.socket.writableEnded;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  unsentBytes(): number {
    return this.socket.writableLength;
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
  }

  end(lastText: string): void {
    this.socket.end(lastText);
    this.socket.destroySoon();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  onMessages(listener: (messages: DecodedLine[]) => void): void {
    this.socket.on('data', (chunk: Buffer) => listener(this.decoder.push(chunk)));
  }

  onDrain(listener: () => void): void {
    this.socket.on('drain', listener);
  }

  onClose(listener: () => void): void {
    this.socket.on('close', listener);
  }
}
