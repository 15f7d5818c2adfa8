// Splits a CLI's output into lines (and JSON objects), with bounded memory whatever the CLI prints.

/** A line longer than this is not an event we act on: it is skipped, not buffered. */
export const MAX_JSON_LINE_BYTES = 4 * 1024 * 1024;
/** How much of a line `want` sees as text: enough for the event type, without decoding the whole line. */
const HEAD_BYTES = 256;

/**
 * Decides whether a line is worth parsing, from its first bytes as text (`head`, from the first `{`) and, when the
 * head is not enough, a byte search of the whole line (`line.includes(…)`). Most lines are turned down here, undecoded.
 */
export type LineFilter = (head: string, line: Buffer) => boolean;

export class JsonLines {
  private parts: Buffer[] = [];
  private buffered = 0;
  private skipping = false;

  /** Calls `onLine` for each complete line that `want` accepts and that parses as a JSON object. */
  push(batch: Buffer, want: LineFilter, onLine: (value: Record<string, unknown>) => void): void {
    this.pushLines(batch, want, onLine);
  }

  /**
   * Calls `visit` with each complete line as a range of bytes (CR removed), copying only a line that spans batches:
   * the cheapest way to look at every line, for output that is mostly lines nobody needs to parse. `unwanted` sees
   * the start of a line that goes on in a later batch; when it can tell the line is not wanted, the line is passed
   * over instead of copied.
   */
  scan(batch: Buffer, visit: (bytes: Buffer, start: number, end: number) => void, unwanted?: (bytes: Buffer, start: number, end: number) => boolean): void {
    let start = 0;
    if (this.buffered > 0 || this.skipping) {
      const nl = batch.indexOf(0x0a);
      this.split(nl === -1 ? batch : batch.subarray(0, nl + 1), (line) => visit(line, 0, line.length));
      if (nl === -1) return;
      start = nl + 1;
    }
    for (;;) {
      const nl = batch.indexOf(0x0a, start);
      if (nl === -1) break;
      const end = nl > start && batch[nl - 1] === 0x0d ? nl - 1 : nl;
      if (end > start) visit(batch, start, end);
      start = nl + 1;
    }
    if (start >= batch.length) return;
    if (unwanted?.(batch, start, batch.length)) this.skipping = true;
    else this.split(batch.subarray(start), () => {});
  }

  private pushLines(batch: Buffer, want: LineFilter, onLine: (value: Record<string, unknown>) => void): void {
    this.split(batch, (line) => {
      const brace = line.indexOf(0x7b);
      if (brace === -1 || !want(line.toString('latin1', brace, brace + HEAD_BYTES), line)) return;
      try {
        const value: unknown = JSON.parse(line.toString('utf8', brace));
        if (value && typeof value === 'object' && !Array.isArray(value)) onLine(value as Record<string, unknown>);
      } catch {
        // Not JSON (a stray log line): ignore it.
      }
    });
  }

  /** Calls `onLine` for every complete line, as text without its line ending. */
  pushText(batch: Buffer, onLine: (line: string) => void): void {
    this.split(batch, (line) => onLine(line.toString('utf8')));
  }

  private split(batch: Buffer, onLine: (line: Buffer) => void): void {
    let start = 0;
    while (start < batch.length) {
      const nl = batch.indexOf(0x0a, start);
      const end = nl === -1 ? batch.length : nl;
      if (!this.skipping) {
        if (this.buffered + (end - start) > MAX_JSON_LINE_BYTES) {
          this.skipping = true;
          this.parts = [];
          this.buffered = 0;
        } else if (end > start) {
          this.parts.push(batch.subarray(start, end));
          this.buffered += end - start;
        }
      }
      if (nl === -1) break;
      if (!this.skipping && this.buffered > 0) {
        const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.buffered);
        onLine(line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line);
      }
      this.parts = [];
      this.buffered = 0;
      this.skipping = false;
      start = nl + 1;
    }
    // A partial line waits for the next batch: copy it, rather than pin the whole batch in memory.
    if (this.parts.length > 0) this.parts = [Buffer.concat(this.parts, this.buffered)];
  }
}
