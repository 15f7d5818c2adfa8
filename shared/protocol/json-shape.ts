// Measures how a JSON text nests and how many values it holds, without parsing it, so that a message built to
// expand in memory (millions of tiny arrays, or arrays inside arrays) is refused before JSON.parse builds it.

export interface JsonShapeLimits {
  maxDepth: number;
  /** Containers, strings and commas: a little over the number of values, keys included. */
  maxItems: number;
}

export type JsonShapeProblem = 'too_deep' | 'too_many_items';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * The first limit the text goes past, or null. One pass, each character looked at once, except that a string with
 * no escapes (a prompt) is skipped whole. It does not check that the text is JSON: the parser does that afterwards.
 */
export function jsonShapeProblem(text: string, limits: JsonShapeLimits): JsonShapeProblem | null {
  let depth = 0;
  let items = 0;
  let inString = false;
  let nextBackslash = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      if (++items > limits.maxItems) return 'too_many_items';
      const end = text.indexOf('"', i + 1);
      if (nextBackslash < i) nextBackslash = text.indexOf('\\', i) >>> 0; // none: the largest unsigned value
      if (end !== -1 && end < nextBackslash) i = end;
      else inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limits.maxDepth) return 'too_deep';
      if (++items > limits.maxItems) return 'too_many_items';
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    } else if (c === COMMA) {
      if (++items > limits.maxItems) return 'too_many_items';
    }
  }
  return null;
}
