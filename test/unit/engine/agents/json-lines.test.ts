import { describe, expect, it } from 'vitest';
import { JsonLines, MAX_JSON_LINE_BYTES } from '../../../../electron/engine/agents/json-lines.js';

function collect(chunks: Buffer[], want = (_head: string, _line: Buffer) => true): unknown[] {
  const lines = new JsonLines();
  const out: unknown[] = [];
  for (const c of chunks) lines.push(c, want, (v) => out.push(v));
  return out;
}

describe('JsonLines', () => {
  it('finds objects across any split, with CRLF endings and junk before the brace', () => {
    const text = Buffer.from('{"a":1}\r\nnoise {"b":"é"}\n[1,2]\nnot json\n{"c":3}');
    for (let size = 1; size <= text.length; size++) {
      const chunks = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.subarray(i, i + size));
      expect(collect([...chunks, Buffer.from('\n')]), `size ${size}`).toEqual([{ a: 1 }, { b: 'é' }, { c: 3 }]);
    }
  });

  it('decides from the head and a byte search, without parsing lines it does not want', () => {
    const heads: string[] = [];
    const want = (head: string, line: Buffer) => (heads.push(head), head.startsWith('{"type":"x"') || line.includes('needle'));
    const out = collect([Buffer.from('{"type":"x"}\n{"type":"y","pad":"' + 'z'.repeat(400) + 'needle"}\n{"type":"y"}\n')], want);
    expect(out).toHaveLength(2);
    expect(heads[1]!.length).toBe(256);
  });

  it('skips a line longer than its limit without keeping it, and reads the next', () => {
    const huge = Buffer.alloc(MAX_JSON_LINE_BYTES + 10, 0x61);
    expect(collect([Buffer.from('{"big":"'), huge, Buffer.from('"}\n{"after":true}\n')])).toEqual([{ after: true }]);
  });
});

describe('JsonLines.scan', () => {
  it('visits every line once as bytes, however the stream is cut, without CRs', () => {
    const text = Buffer.from('first line\r\n{"type":"x"}\n\n' + 'y'.repeat(300) + '\nlast\n');
    for (const size of [1, 2, 7, 31, 64, 200, text.length]) {
      const json = new JsonLines();
      const seen: string[] = [];
      for (let i = 0; i < text.length; i += size) json.scan(text.subarray(i, i + size), (b, s, e) => seen.push(b.toString('utf8', s, e)));
      expect(seen, `size ${size}`).toEqual(['first line', '{"type":"x"}', 'y'.repeat(300), 'last']);
    }
  });
});
