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

describe('JsonLines with needles', () => {
  it('finds the same wanted lines as without them, however the stream is cut', () => {
    const lines = ['{"type":"assistant","text":"' + 'x'.repeat(300) + '"}', '{"type":"result","ok":1}', '{"type":"assistant","name":"TodoWrite"}', '{"type":"user"}', '{"type":"system","s":2}'];
    const text = Buffer.from(lines.join('\n') + '\n');
    const needles = [Buffer.from('"type":"result"'), Buffer.from('"type":"system"'), Buffer.from('TodoWrite')];
    const want = (head: string, line: Buffer) => /"(result|system)"/.test(head) || line.includes('TodoWrite');
    for (const size of [1, 2, 7, 31, 64, 200, text.length]) {
      const json = new JsonLines();
      const out: unknown[] = [];
      for (let i = 0; i < text.length; i += size) json.push(text.subarray(i, i + size), want, (v) => out.push(v), needles);
      expect(out, `size ${size}`).toEqual([{ type: 'result', ok: 1 }, { type: 'assistant', name: 'TodoWrite' }, { type: 'system', s: 2 }]);
    }
  });
});
