// The run's current screen, rebuilt on demand from the log's tail, so the output hot path never parses a byte.
import xtermHeadless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';
import { readLog } from './run-log.js';

const { Terminal } = xtermHeadless;
const { SerializeAddon } = serializeAddon;
type HeadlessTerminal = InstanceType<typeof Terminal>;

/** A gap larger than this is not replayed byte by byte: the screen restarts from the log's last stretch. */
export const SCREEN_REPLAY_MAX_BYTES = 256 * 1024;
const READ_STEP_BYTES = 64 * 1024;

export class Screen {
  private term: HeadlessTerminal | null = null;
  private serializer: InstanceType<typeof SerializeAddon> | null = null;
  private parsedTo = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly logPath: string,
    private cols: number,
    private rows: number,
  ) {}

  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.term?.resize(cols, rows);
  }

  /** The visible lines once the screen has caught up with `logBytes` of output. */
  async lines(logBytes: number): Promise<string[]> {
    const term = await this.catchUp(logBytes);
    const buffer = term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < term.rows; y++) {
      out.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    }
    return out;
  }

  /** Escape sequences that redraw the current screen on a fresh terminal (for attach). */
  async serialize(logBytes: number): Promise<string> {
    await this.catchUp(logBytes);
    return this.serializer!.serialize({ scrollback: 0 });
  }

  dispose(): void {
    this.term?.dispose();
    this.term = null;
    this.serializer = null;
  }

  private catchUp(logBytes: number): Promise<HeadlessTerminal> {
    const next = this.pending.then(() => this.replay(logBytes));
    this.pending = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private async replay(logBytes: number): Promise<HeadlessTerminal> {
    let term = this.term;
    if (!term || logBytes - this.parsedTo > SCREEN_REPLAY_MAX_BYTES || logBytes < this.parsedTo) {
      this.dispose();
      term = new Terminal({ cols: this.cols, rows: this.rows, scrollback: 0, allowProposedApi: true });
      this.serializer = new SerializeAddon();
      term.loadAddon(this.serializer);
      this.term = term;
      this.parsedTo = Math.max(0, logBytes - SCREEN_REPLAY_MAX_BYTES);
    }
    while (this.parsedTo < logBytes) {
      const chunk = readLog(this.logPath, this.parsedTo, Math.min(READ_STEP_BYTES, logBytes - this.parsedTo));
      if (chunk.length === 0) break;
      await new Promise<void>((resolve) => term.write(chunk, resolve));
      this.parsedTo += chunk.length;
    }
    return term;
  }
}
