// One process in a pseudo-terminal, spawned from an argv, stopped by a signal ladder that reaches its whole group.
import * as pty from 'node-pty';

/** After SIGHUP and SIGTERM, how long the process group has before SIGKILL. */
export const STOP_GRACE_MS = 3000;
/**
 * While reading is paused, how often to check that the leader still lives: once it exits, node-pty discards whatever
 * is left unread in the terminal 200 ms later, so reading must resume at once to keep the end of the output.
 */
export const PAUSED_EXIT_CHECK_MS = 20;

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
  private exitWatch: NodeJS.Timeout | null = null;

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
    this.exited = new Promise((resolve) => {
      this.pty.onExit(({ exitCode, signal }) => {
        this.alive = false;
        this.stopExitWatch();
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
    if (!this.alive) return;
    this.pty.pause();
    this.exitWatch ??= setInterval(() => {
      if (!processExists(this.pty.pid)) this.resume();
    }, PAUSED_EXIT_CHECK_MS).unref();
  }

  resume(): void {
    this.stopExitWatch();
    if (this.alive) this.pty.resume();
  }

  private stopExitWatch(): void {
    if (this.exitWatch) clearInterval(this.exitWatch);
    this.exitWatch = null;
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

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals every process in the group led by `pid` (a PTY's child leads its own session and group). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
