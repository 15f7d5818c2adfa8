import { describe, expect, it } from 'vitest';
import { jsonShapeProblem } from '../../../shared/protocol/json-shape.js';

const limits = { maxDepth: 4, maxItems: 10 };
const check = (text: string) => jsonShapeProblem(text, limits);

describe('jsonShapeProblem', () => {
  it('takes nesting up to the limit and refuses one level more, arrays and objects alike', () => {
    expect(check('[[[[]]]]')).toBeNull();
    expect(check('[[[[[]]]]]')).toBe('too_deep');
    expect(check('{"a":{"b":{"c":{"d":1}}}}')).toBeNull();
    expect(check('{"a":{"b":{"c":{"d":{}}}}}')).toBe('too_deep');
    expect(check('[{"a":[{"b":[]}]}]')).toBe('too_deep');
  });

  it('measures the deepest point, not the total of containers side by side', () => {
    expect(check('[[],[],[]]')).toBeNull();
    expect(check('[[[[]]],[[[]]],1]')).toBeNull();
  });

  it('counts containers, strings and commas, and refuses past the limit', () => {
    expect(check(`[${Array(10).fill(0).join(',')}]`)).toBeNull(); // one array and 9 commas
    expect(check(`[${Array(11).fill(0).join(',')}]`)).toBe('too_many_items');
    expect(check('["a","b","c","d","e"]')).toBeNull(); // one array, 5 strings, 4 commas
    expect(check('["a","b","c","d","e","f"]')).toBe('too_many_items');
    expect(check('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}')).toBe('too_many_items');
    expect(check('"a""b""c""d""e""f""g""h""i""j""k"')).toBe('too_many_items');
  });

  it('ignores brackets and commas inside strings, escaped quotes included', () => {
    expect(check('["[[[[[[,,,,,,,,,,,,"]')).toBeNull();
    expect(check('["\\"[[[[[[[[", "\\\\"]')).toBeNull();
    expect(check('{"k\\"[[[[[[":"\\u0022[[[[[["}')).toBeNull();
    expect(check('["\\n", "no escape [[[[[[", "\\t[[[[[["]')).toBeNull();
    // After an escaped backslash the quote does end the string, so what follows counts.
    expect(check('["\\\\", [[[[[]]]]]]')).toBe('too_deep');
    expect(check('["\\\\\\"", [[[]]]]')).toBeNull();
  });

  it('leaves what is not JSON to the parser', () => {
    expect(check('"never closed [[[[[[[[')).toBeNull();
    expect(check(']]]]')).toBeNull();
    expect(check('')).toBeNull();
  });

  it('runs in linear time on the worst inputs of the largest message size', () => {
    const size = 8 * 1024 * 1024;
    const worst = [
      '"' + '\\"'.repeat(size / 2), // every quote escaped: each is looked back at once
      '"' + '\\'.repeat(size - 2) + '"',
      '"' + 'a\\"'.repeat(size / 3) + '"',
      '[' + '"",'.repeat(size / 3) + ']',
      '"' + 'é'.repeat(size / 2) + '"',
    ];
    for (const text of worst) {
      const started = performance.now();
      jsonShapeProblem(text, { maxDepth: 32, maxItems: Number.MAX_SAFE_INTEGER });
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
