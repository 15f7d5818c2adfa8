// Splits a byte stream into newline-terminated messages, refusing any longer than a limit without buffering it.

export type DecodedLine =
  | { kind: 'line'; text: string }
  | { kind: 'too_large'; bytes: number }
  /** Not valid UTF-8: refused rather than silently changed (a lenient decode would alter prompts and paths). */
  | { kind: 'invalid_utf8'; bytes: number };

const NEWLINE = 0x0a;
/** A line of only JSON whitespace is a keep-alive, not a message; anything else (form feed, NBSP, …) gets an answer. */
const BLANK = /^[ \t\r]*$/;

export class LineDecoder {
  private parts: Uint8Array[] = [];
  private buffered = 0;
  /** Bytes of an oversized line seen so far; it is skipped up to its newline. */
  private skipping = 0;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly maxBytes: number) {}

  push(chunk: Uint8Array): DecodedLine[] {
    const out: DecodedLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (this.skipping > 0) {
        this.skipping += piece.length;
      } else if (this.buffered + piece.length > this.maxBytes) {
        this.skipping = this.buffered + piece.length;
        this.parts = [];
        this.buffered = 0;
      } else if (piece.length > 0) {
        this.parts.push(piece.slice());
        this.buffered += piece.length;
      }
      if (nl === -1) break;
      out.push(this.finishLine());
      start = nl + 1;
    }
    return out.filter((line) => line.kind !== 'line' || !BLANK.test(line.text));
  }

  private finishLine(): DecodedLine {
    if (this.skipping > 0) {
      const bytes = this.skipping;
      this.skipping = 0;
      return { kind: 'too_large', bytes };
    }
    const joined = joinBytes(this.parts, this.buffered);
    this.parts = [];
    this.buffered = 0;
    try {
      return { kind: 'line', text: this.utf8.decode(joined) };
    } catch {
      return { kind: 'invalid_utf8', bytes: joined.length };
    }
  }
}

function joinBytes(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
