// The real `errand` CLI in a real pseudo-terminal, its output rendered by a headless xterm, as a person would see it.
import xtermHeadless from '@xterm/headless';
import * as pty from 'node-pty';
import { ERRAND_BIN } from './sandbox.js';
import type { Sandbox } from './sandbox.js';

const { Terminal } = xtermHeadless;

export class CliTerminal {
  readonly pty: pty.IPty;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  /** Everything the command wrote, raw. */
  raw = '';
  private readonly term: InstanceType<typeof Terminal>;
  private pendingWrites: Promise<void> = Promise.resolve();

  constructor(sandbox: Sandbox, args: string[], size = { cols: 100, rows: 30 }) {
    this.term = new Terminal({ cols: size.cols, rows: size.rows, scrollback: 1000, allowProposedApi: true });
    this.pty = pty.spawn(process.execPath, [ERRAND_BIN, ...args], {
      name: 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      cwd: sandbox.root,
      env: sandbox.env as Record<string, string>,
    });
    this.pty.onData((data) => {
      this.raw += data;
      const term = this.term;
      this.pendingWrites = this.pendingWrites.then(() => new Promise<void>((resolve) => term.write(data, resolve)));
    });
    this.exited = new Promise((resolve) => this.pty.onExit(resolve));
  }

  get pid(): number {
    return this.pty.pid;
  }

  /** The screen's lines (and scrollback) as text, once all output so far has been parsed. */
  async screen(): Promise<string> {
    await this.pendingWrites;
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < buffer.length; y++) lines.push(buffer.getLine(y)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  /** Waits until the rendered screen matches. */
  async waitForScreen(pattern: RegExp, what: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.screen();
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  write(data: string): void {
    this.pty.write(data);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    try {
      process.kill(this.pty.pid, signal);
    } catch {
      // Already gone.
    }
  }

  dispose(): void {
    this.kill();
    this.term.dispose();
  }
}
