// A transport in memory: the test plays the engine, answering what the client sent.
import type { ClientTransport } from '../../../../shared/protocol/client/transport.js';

export class FakeTransport implements ClientTransport {
  readonly sent: Record<string, unknown>[] = [];
  connects = 0;
  /** The outcome of each next connect(), in order; once used up, connects succeed. */
  failures: Error[] = [];
  open = false;
  private messageListener: (text: string) => void = () => {};
  private closeListener: (reason: string) => void = () => {};

  connect(): Promise<void> {
    this.connects++;
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    this.open = true;
    return Promise.resolve();
  }

  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }

  onMessage(listener: (text: string) => void): void {
    this.messageListener = listener;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }

  close(): void {
    this.drop('');
  }

  /** The engine pushes a message. */
  push(message: unknown): void {
    this.messageListener(JSON.stringify(message));
  }

  /** The link is lost. */
  drop(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.closeListener(reason);
  }

  lastId(): number {
    return this.sent[this.sent.length - 1]!.id as number;
  }
}
