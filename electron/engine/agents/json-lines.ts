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

  /**
   * Calls `onLine` for each complete line that `want` accepts and that parses as a JSON object. With `needles`, every
   * wanted line contains one of them: a batch without any is passed over whole, with no work per line.
   */
  push(batch: Buffer, want: LineFilter, onLine: (value: Record<string, unknown>) => void, needles?: Buffer[]): void {
    if (needles) {
      // Finish the line the last batch left open the usual way, then look at the rest as a whole.
      if (this.buffered > 0 || this.skipping) {
        const nl = batch.indexOf(0x0a);
        if (nl === -1) return this.pushLines(batch, want, onLine);
        this.pushLines(batch.subarray(0, nl + 1), want, onLine);
        batch = batch.subarray(nl + 1);
      }
      if (!needles.some((needle) => batch.includes(needle))) {
        const tail = batch.subarray(batch.lastIndexOf(0x0a) + 1);
        if (tail.length > 0) this.split(tail, () => {});
        return;
      }
    }
    this.pushLines(batch, want, onLine);
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
