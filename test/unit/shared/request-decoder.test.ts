import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, MAX_PROMPT_CHARS, MAX_REQUEST_DEPTH, MAX_REQUEST_ITEMS } from '../../../shared/protocol/limits.js';
import { decodeRequest, decodeRequestLine } from '../../../shared/protocol/request-decoder.js';

const message = (method: string, params: unknown, id: number | string = 7) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('decodeRequest', () => {
  it('takes the largest real requests whole', () => {
    const command = Array.from({ length: 1000 }, (_, i) => `--arg-${i}`);
    const env = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`VAR_${i}`, `value ${i}`]));
    const profile = decodeRequest(
      message('profile.add', { name: 'big', command, env, needsInput: { pattern: 'Proceed\\?', quietMs: 500, lines: 3 } }),
    );
    expect(profile.ok && profile.request.params).toMatchObject({ name: 'big', command, env });
    const list = decodeRequest(message('task.list', { status: ['queued', 'running', 'needs_input'], limit: 1000 }));
    expect(list.ok).toBe(true);
    const prompt = decodeRequest(message('task.add', { prompt: 'é\n"\\'.repeat(MAX_PROMPT_CHARS / 4), repo: '/r', profile: 'p' }));
    expect(prompt.ok).toBe(true);
  });

  it(`parses a request nested ${MAX_REQUEST_DEPTH} deep and refuses one level more unparsed, without its id`, () => {
    // The envelope and params are two levels; the rest is the value of params.id.
    const nested = (depth: number) => message('task.get', { id: JSON.parse('['.repeat(depth - 2) + ']'.repeat(depth - 2)) });
    expect(decodeRequest(nested(MAX_REQUEST_DEPTH))).toMatchObject({ ok: false, id: 7, error: { code: 'invalid_params' } });
    const refused = decodeRequest(nested(MAX_REQUEST_DEPTH + 1));
    expect(refused).toMatchObject({ ok: false, id: null, error: { code: 'invalid_request' } });
    expect(!refused.ok && refused.error.message).toContain(`more than ${MAX_REQUEST_DEPTH} levels`);
  });

  it(`parses a request of ${MAX_REQUEST_ITEMS} items and refuses one more unparsed`, () => {
    // {"jsonrpc":"2.0","id":7,"method":"task.get","params":{"id":[0,…]}} is 12 items besides the array's values.
    const wide = (items: number) => message('task.get', { id: Array(items - 12).fill(0) });
    expect(decodeRequest(wide(MAX_REQUEST_ITEMS))).toMatchObject({ ok: false, id: 7, error: { code: 'invalid_params' } });
    const refused = decodeRequest(wide(MAX_REQUEST_ITEMS + 1));
    expect(refused).toMatchObject({ ok: false, id: null, error: { code: 'invalid_request' } });
    expect(!refused.ok && refused.error.message).toContain(`more than ${MAX_REQUEST_ITEMS} values`);
  });

  it('answers text that is not JSON, or not a request, as before', () => {
    expect(decodeRequest('{"jsonrpc":')).toMatchObject({ ok: false, id: null, error: { code: 'parse_error' } });
    expect(decodeRequest('[1,2]')).toMatchObject({ ok: false, id: null, error: { code: 'invalid_request' } });
    expect(decodeRequest(message('no.such', {}, 'abc'))).toMatchObject({ ok: false, id: 'abc', error: { code: 'unknown_method' } });
  });
});

describe('decodeRequestLine', () => {
  it('answers lines the decoder already refused', () => {
    const tooLarge = decodeRequestLine({ kind: 'too_large', bytes: MAX_MESSAGE_BYTES + 1 });
    expect(tooLarge).toMatchObject({ ok: false, id: null, error: { code: 'message_too_large' } });
    expect(!tooLarge.ok && tooLarge.error.message).toContain(String(MAX_MESSAGE_BYTES));
    expect(decodeRequestLine({ kind: 'invalid_utf8', bytes: 3 })).toMatchObject({ ok: false, id: null, error: { code: 'parse_error' } });
    expect(decodeRequestLine({ kind: 'line', text: message('engine.status', undefined) })).toMatchObject({ ok: true });
  });
});
