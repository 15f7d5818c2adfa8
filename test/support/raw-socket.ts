// A bare connection to the engine's socket: send any bytes, read back every line it answers with.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export class RawSocket {
  /** Every message the engine sent, parsed, in order. */
  readonly received: any[] = [];
  closed = false;
  /** The socket error that ended the connection, if any. */
  error: Error | null = null;
  private buffer = '';
  private waiters: { test: () => boolean; resolve: () => void; reject: (e: Error) => void }[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.received.push(JSON.parse(line));
      }
      this.check();
    });
    socket.on('error', (error) => (this.error = error));
    socket.on('close', () => {
      this.closed = true;
      this.check();
    });
  }

  static open(path: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawSocket(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Writes and resolves once the kernel took the bytes (so a large write cannot pile up in memory). */
  write(data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(data, (error) =>
        error ? reject(new Error(`write failed: ${error.message}${this.error ? ` (after ${this.error.message})` : ''}`)) : resolve(),
      ),
    );
  }

  /** Resolves once a received message passes the test; rejects if the socket closes or time runs out first. */
  waitFor(test: (message: any) => boolean, what: string, timeoutMs = 20_000): Promise<any> {
    const find = () => this.received.find(test);
    if (find()) return Promise.resolve(find());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        test: () => find() !== undefined || this.closed,
        resolve: () => {
          clearTimeout(timer);
          const found = find();
          if (found) resolve(found);
          else {
            const last = JSON.stringify(this.received.slice(-3)).slice(0, 1000);
            reject(new Error(`the engine closed the connection while we waited for ${what}; last messages: ${last}`));
          }
        },
        reject,
      });
    });
  }

  /** Resolves once the engine has closed the connection. */
  waitClosed(timeoutMs = 20_000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for the engine to close the connection`)), timeoutMs);
      this.waiters.push({
        test: () => this.closed,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject,
      });
    });
  }

  /** Sends one request and waits for the answer with its id. */
  async request(method: string, params?: unknown, id: string | number = `req-${Math.random()}`): Promise<any> {
    await this.write(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) }) + '\n');
    return this.waitFor((m) => m.id === id, `the answer to ${method}`);
  }

  /** Stops reading (what the engine sends waits on its side), as a stuck client would. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.destroy();
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => (w.test() ? (w.resolve(), false) : true));
  }
}
