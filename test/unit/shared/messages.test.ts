import { describe, expect, it } from 'vitest';
import { ErrandError } from '../../../shared/protocol/errors.js';
import { MAX_PROMPT_CHARS } from '../../../shared/protocol/limits.js';
import { salvageId, validateRequest } from '../../../shared/protocol/messages.js';
import { methodSchemas } from '../../../shared/protocol/methods.js';

function codeOf(value: unknown): string {
  try {
    validateRequest(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ErrandError);
    expect((error as ErrandError).message.length).toBeGreaterThan(10);
    return (error as ErrandError).code;
  }
  return 'valid';
}

const taskAdd = (params: unknown, extra: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id: 1, method: 'task.add', params, ...extra });
const goodParams = { prompt: 'do it', repo: '/tmp/r', profile: 'fake' };

describe('validateRequest', () => {
  it('accepts a well-formed request and returns its parsed params', () => {
    expect(validateRequest(taskAdd(goodParams))).toEqual({ id: 1, method: 'task.add', params: goodParams });
    expect(validateRequest({ jsonrpc: '2.0', id: 'abc', method: 'engine.status' })).toEqual({
      id: 'abc',
      method: 'engine.status',
      params: undefined,
    });
  });

  it('refuses what is not a request object', () => {
    for (const value of [null, undefined, 1, 'x', true, [], [taskAdd(goodParams)]]) expect(codeOf(value)).toBe('invalid_request');
  });

  it('refuses a bad envelope: version, id, method type, extra fields', () => {
    const bad = [
      { id: 1, method: 'engine.status' },
      { jsonrpc: '1.0', id: 1, method: 'engine.status' },
      { jsonrpc: 2, id: 1, method: 'engine.status' },
      { jsonrpc: '2.0', method: 'engine.status' },
      { jsonrpc: '2.0', id: null, method: 'engine.status' },
      { jsonrpc: '2.0', id: 1.5, method: 'engine.status' },
      { jsonrpc: '2.0', id: 2 ** 53, method: 'engine.status' },
      { jsonrpc: '2.0', id: Infinity, method: 'engine.status' },
      { jsonrpc: '2.0', id: '', method: 'engine.status' },
      { jsonrpc: '2.0', id: 'x'.repeat(65), method: 'engine.status' },
      { jsonrpc: '2.0', id: {}, method: 'engine.status' },
      { jsonrpc: '2.0', id: [1], method: 'engine.status' },
      { jsonrpc: '2.0', id: 1, method: 7 },
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', id: 1, method: 'engine.status', extra: 1 },
      { jsonrpc: '2.0', id: 1, method: 'engine.status', result: {} },
      JSON.parse('{"jsonrpc":"2.0","id":1,"method":"engine.status","__proto__":{"x":1}}'),
    ];
    for (const value of bad) expect(codeOf(value), JSON.stringify(value)).toBe('invalid_request');
  });

  it('refuses unknown methods, including names every object inherits', () => {
    for (const method of ['', 'task.ad', 'TASK.ADD', 'task.add ', 'event', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'x'.repeat(10_000)]) {
      expect(codeOf({ jsonrpc: '2.0', id: 1, method }), method.slice(0, 20)).toBe('unknown_method');
    }
  });

  it('cuts a long unknown method name in its error message', () => {
    try {
      validateRequest({ jsonrpc: '2.0', id: 1, method: 'y'.repeat(100_000) });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(300);
    }
  });

  it('refuses invalid task.add params, naming the field', () => {
    const bad: [unknown, string][] = [
      [undefined, 'params'],
      [null, 'params'],
      [[], 'params'],
      ['do it', 'params'],
      [{ ...goodParams, prompt: undefined }, 'prompt'],
      [{ ...goodParams, prompt: 5 }, 'prompt'],
      [{ ...goodParams, prompt: '' }, 'prompt'],
      [{ ...goodParams, prompt: ' \n\t ' }, 'prompt'],
      [{ ...goodParams, prompt: 'a\u0000b' }, 'prompt'],
      [{ ...goodParams, prompt: 'x'.repeat(MAX_PROMPT_CHARS + 1) }, 'prompt'],
      [{ ...goodParams, repo: 'relative/path' }, 'repo'],
      [{ ...goodParams, repo: '/tmp/\u0000' }, 'repo'],
      [{ ...goodParams, profile: '' }, 'profile'],
      [{ ...goodParams, profile: '../etc' }, 'profile'],
      [{ ...goodParams, profile: 'has space' }, 'profile'],
      [{ ...goodParams, profile: 'p'.repeat(65) }, 'profile'],
      [{ ...goodParams, priority: 1.5 }, 'priority'],
      [{ ...goodParams, priority: 1001 }, 'priority'],
      [{ ...goodParams, priority: '1' }, 'priority'],
      [{ ...goodParams, priority: 1e308 * 10 }, 'priority'],
      [{ ...goodParams, extra: true }, ''],
      [JSON.parse(`{"prompt":"a","repo":"/r","profile":"p","__proto__":{"priority":1}}`), ''],
    ];
    for (const [params, field] of bad) {
      try {
        validateRequest(taskAdd(params));
        expect.unreachable(`accepted ${JSON.stringify(params)?.slice(0, 80)}`);
      } catch (error) {
        expect((error as ErrandError).code).toBe('invalid_params');
        expect((error as ErrandError).message).toMatch(/^task\.add: /);
        if (field) expect((error as ErrandError).message).toContain(field);
      }
    }
  });

  it('explains a NUL in a prompt', () => {
    expect(() => validateRequest(taskAdd({ ...goodParams, prompt: 'a\u0000' }))).toThrow(/NUL/);
  });

  it('refuses params of the wrong type for every method', () => {
    for (const method of Object.keys(methodSchemas)) {
      for (const params of [5, 'x', true, [], { unexpected: 1 }]) {
        expect(codeOf({ jsonrpc: '2.0', id: 1, method, params }), `${method} ${JSON.stringify(params)}`).toBe('invalid_params');
      }
    }
  });

  it('refuses out-of-range ids in params', () => {
    for (const id of [0, -1, 1.5, 2 ** 53, '1', null]) {
      expect(codeOf({ jsonrpc: '2.0', id: 1, method: 'task.get', params: { id } })).toBe('invalid_params');
    }
  });

  it('does not run a user regular expression that cannot compile, and refuses it', () => {
    const params = { name: 'p', command: ['x'], needsInput: { pattern: '(' } };
    expect(codeOf({ jsonrpc: '2.0', id: 1, method: 'profile.add', params })).toBe('invalid_params');
  });
});

describe('salvageId', () => {
  it('reads a usable id and nothing else', () => {
    expect(salvageId({ id: 7 })).toBe(7);
    expect(salvageId({ id: 'a' })).toBe('a');
    for (const value of [null, 5, [], { id: 1.5 }, { id: '' }, { id: {} }, { id: 2 ** 60 }]) expect(salvageId(value)).toBeNull();
  });
});
