// One process in a pseudo-terminal, spawned from an argv, stopped by a signal ladder that reaches its whole group.
import { readSync } from 'node:fs';
import * as pty from 'node-pty';

/** After SIGHUP and SIGTERM, how long the process group has before SIGKILL. */
export const STOP_GRACE_MS = 3000;

export interface PtySpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

export interface PtyExit {
  exitCode: number;
  signal: number | null;
}

export class PtyProcess {
  readonly exited: Promise<PtyExit>;
  private readonly pty: pty.IPty;
  private alive = true;

  constructor(spec: PtySpec, onData: (data: Buffer) => void) {
    this.pty = pty.spawn(spec.file, spec.args, {
      name: spec.env.TERM ?? 'xterm-256color',
      cols: spec.cols,
      rows: spec.rows,
      cwd: spec.cwd,
      env: spec.env,
      encoding: null,
    });
    this.pty.onData((data) => onData(data as unknown as Buffer));
    keepUnreadOutput(this.pty, onData);
    this.exited = new Promise((resolve) => {
      this.pty.onExit(({ exitCode, signal }) => {
        this.alive = false;
        // The leader is gone; nothing it started may outlive the run.
        signalGroup(this.pty.pid, 'SIGKILL');
        resolve({ exitCode, signal: signal || null });
      });
    });
  }

  get pid(): number {
    return this.pty.pid;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  write(data: string | Buffer): void {
    if (this.alive) this.pty.write(data as string);
  }

  resize(cols: number, rows: number): void {
    if (this.alive) this.pty.resize(cols, rows);
  }

  pause(): void {
    if (this.alive) this.pty.pause();
  }

  resume(): void {
    if (this.alive) this.pty.resume();
  }

  /** SIGHUP and SIGTERM to the group, then SIGKILL after the grace period. Resolves when the leader has exited. */
  async stop(graceMs = STOP_GRACE_MS): Promise<PtyExit> {
    if (this.alive) {
      this.pty.resume();
      signalGroup(this.pty.pid, 'SIGHUP');
      signalGroup(this.pty.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(this.pty.pid, 'SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }
}

interface PtyReader {
  destroyed: boolean;
  read(): unknown;
  destroy(...args: unknown[]): unknown;
}

/**
 * node-pty closes its reader 200 ms after the leader exits, read to the end or not: paused for a lagging subscriber,
 * or with the engine busy, the end of the output (often the agent's summary) would be lost. So before the reader
 * closes, take what it holds and what the terminal still holds. (node-pty internals: without them, nothing is done.)
 */
function keepUnreadOutput(terminal: pty.IPty, onData: (data: Buffer) => void): void {
  const reader = (terminal as unknown as { _socket?: PtyReader })._socket;
  const fd = (terminal as unknown as { fd?: number }).fd;
  if (!reader || typeof reader.destroy !== 'function' || typeof reader.read !== 'function' || typeof fd !== 'number') return;
  const destroy = reader.destroy.bind(reader);
  reader.destroy = (...args: unknown[]) => {
    if (!reader.destroyed) {
      // Reading a paused stream emits its buffered data to the listeners, in order.
      while (reader.read() !== null);
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buffer, 0, buffer.length, null);
        } catch {
          break; // EAGAIN: nothing left; EIO: the terminal is closed.
        }
        if (n <= 0) break;
        onData(Buffer.from(buffer.subarray(0, n)));
      }
    }
    return destroy(...args);
  };
}

/** Signals every process in the group led by `pid` (a PTY's child leads its own session and group). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
