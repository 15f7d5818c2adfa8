import { describe, expect, it } from 'vitest';
import { LineDecoder } from '../../../shared/protocol/line-decoder.js';
import type { DecodedLine } from '../../../shared/protocol/line-decoder.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const texts = (lines: DecodedLine[]) => lines.map((l) => (l.kind === 'line' ? l.text : l.kind));

describe('LineDecoder', () => {
  it('splits newline-terminated messages and keeps a partial line until its newline arrives', () => {
    const d = new LineDecoder(1024);
    expect(texts(d.push(bytes('{"a":1}\n{"b"')))).toEqual(['{"a":1}']);
    expect(d.push(bytes(':2'))).toEqual([]);
    expect(texts(d.push(bytes('}\n{"c":3}\n')))).toEqual(['{"b":2}', '{"c":3}']);
  });

  it('reassembles a multi-byte character split across chunks, byte by byte', () => {
    const d = new LineDecoder(1024);
    const all = bytes('héllo 🚀 مرحبا\n');
    const out: DecodedLine[] = [];
    for (const b of all) out.push(...d.push(Uint8Array.of(b)));
    expect(texts(out)).toEqual(['héllo 🚀 مرحبا']);
  });

  it('skips lines of only JSON whitespace (space, tab, CR) without a message', () => {
    const d = new LineDecoder(1024);
    expect(texts(d.push(bytes('\n  \n\t\r\n{}\n')))).toEqual(['{}']);
  });

  it('passes a line of other whitespace-like characters on as a message, so it can be answered', () => {
    // JSON.parse refuses these; dropping them silently would leave a client waiting for an answer forever.
    const d = new LineDecoder(1024);
    expect(texts(d.push(bytes('\f\n\u00a0\n\u2028\n\v\n')))).toEqual(['\f', '\u00a0', '\u2028', '\v']);
  });

  it('accepts a line of exactly the limit and refuses one byte more, then carries on with the next line', () => {
    const d = new LineDecoder(10);
    expect(d.push(bytes('0123456789\n'))).toEqual([{ kind: 'line', text: '0123456789' }]);
    expect(d.push(bytes('0123456789A\n{"ok":1}\n'))).toEqual([
      { kind: 'too_large', bytes: 11 },
      { kind: 'line', text: '{"ok":1}' },
    ]);
  });

  it('counts an oversized line across many chunks without keeping it, and reports it once', () => {
    const d = new LineDecoder(100);
    const out: DecodedLine[] = [];
    for (let i = 0; i < 1000; i++) out.push(...d.push(new Uint8Array(1000).fill(0x41)));
    expect(out).toEqual([]);
    out.push(...d.push(bytes('tail\nnext\n')));
    expect(out).toEqual([
      { kind: 'too_large', bytes: 1_000_004 },
      { kind: 'line', text: 'next' },
    ]);
  });

  it('keeps NUL bytes in a line as they came', () => {
    const d = new LineDecoder(100);
    expect(d.push(Uint8Array.of(0x7b, 0x00, 0x7d, 0x0a))).toEqual([{ kind: 'line', text: '{\u0000}' }]);
  });

  it('reports invalid UTF-8 instead of silently replacing it', () => {
    const cases = [
      [0xff],
      [0xc3, 0x28], // a lead byte without its continuation
      [0xc0, 0xaf], // an overlong "/"
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    ];
    for (const bad of cases) {
      const d = new LineDecoder(100);
      const line = Uint8Array.from([...bytes('{"prompt":"a'), ...bad, ...bytes('"}'), 0x0a, ...bytes('{"x":1}\n')]);
      const out = d.push(line);
      expect(out[0]).toEqual({ kind: 'invalid_utf8', bytes: line.indexOf(0x0a) });
      expect(out[1]).toEqual({ kind: 'line', text: '{"x":1}' });
    }
  });

  it('does not carry a character cut by an oversized line into the next message', () => {
    const d = new LineDecoder(4);
    // "é" is c3 a9: the line is over the limit and ends mid-character; the next line must decode cleanly.
    const out = d.push(Uint8Array.from([0x61, 0x61, 0x61, 0x61, 0xc3, 0x0a, 0x62, 0x0a]));
    expect(out).toEqual([
      { kind: 'too_large', bytes: 5 },
      { kind: 'line', text: 'b' },
    ]);
  });
});
