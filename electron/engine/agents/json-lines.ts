// Splits a CLI's output into lines (and JSON objects), with bounded memory whatever the CLI prints.

/** A line longer than this is not an event we act on: it is skipped, not buffered. */
export const MAX_JSON_LINE_BYTES = 4 * 1024 * 1024;

export class JsonLines {
  private textHandler: ((line: string) => void) | null = null;

  /** Calls `onLine` for every complete line, as text without its line ending. */
  pushText(batch: Buffer, onLine: (line: string) => void): void {
    this.textHandler = onLine;
    this.push(batch, () => false, () => {});
    this.textHandler = null;
  }

  private parts: Buffer[] = [];
  private buffered = 0;
  private skipping = false;

  /**
   * Feeds a batch; calls `onLine` for each complete line that `want` accepts (checked on the raw text before any
   * parsing, so uninteresting lines cost a prefix test) and that parses as a JSON object.
   */
  push(batch: Buffer, want: (line: string) => boolean, onLine: (value: Record<string, unknown>) => void): void {
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
      if (!this.skipping && this.buffered > 0) this.emit(want, onLine);
      this.parts = [];
      this.buffered = 0;
      this.skipping = false;
      start = nl + 1;
    }
    // Keep copies of a partial line: the batch buffer is reused by nobody, but slices pin the whole batch.
    if (this.parts.length > 0 && this.parts[this.parts.length - 1]!.buffer === batch.buffer) {
      this.parts = [Buffer.concat(this.parts, this.buffered)];
    }
  }

  private emit(want: (line: string) => boolean, onLine: (value: Record<string, unknown>) => void): void {
    const text = (this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.buffered)).toString('utf8');
    const line = text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
    if (this.textHandler) return this.textHandler(line);
    const brace = line.indexOf('{');
    if (brace === -1 || !want(brace === 0 ? line : line.slice(brace))) return;
    try {
      const value: unknown = JSON.parse(brace === 0 ? line : line.slice(brace));
      if (value && typeof value === 'object' && !Array.isArray(value)) onLine(value as Record<string, unknown>);
    } catch {
      // Not JSON (a stray log line): ignore it.
    }
  }
}
