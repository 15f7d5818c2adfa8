// A named pipe that stands in for an agent's stdin, for CLIs that speak JSON there and refuse a terminal.
import { execFile } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export class InputPipe {
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Makes the pipe and holds it open read-write, so neither side blocks on the other opening it. */
  static async create(path: string): Promise<InputPipe> {
    await rm(path, { force: true });
    await execFileAsync('mkfifo', ['-m', '600', path]);
    return new InputPipe(path, await open(path, 'r+'));
  }

  /** Queues bytes for the agent, in order. A full pipe waits for the agent to read, off the event loop. */
  write(data: string): void {
    this.writes = this.writes.then(() => this.handle.write(data)).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.writes;
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
