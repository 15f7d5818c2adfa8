// A profile's needs-input pattern, compiled by RE2 (re2js, plain JavaScript): matching takes time linear in the text,
// whatever the pattern, so nothing a profile or an agent prints can stall the engine's event loop.
import { RE2JS } from 're2js';

/**
 * RE2's cost is (text length × program size): measured at ~25–30 ns per unit on the worst patterns (counted
 * repetitions such as `[a-z]{500}`), these two bounds keep one check under ~1,000,000 units, about 30 ms.
 * Real prompts are far below: `(?i)(proceed|continue)\?\s*\[y/n\]` compiles to ~60 instructions.
 */
export const MAX_PATTERN_PROGRAM_SIZE = 250;
/** The pattern sees at most this many characters from the end of the screen lines. */
export const MAX_MATCHED_TEXT_CHARS = 4096;

const RE2_SYNTAX = 'https://github.com/google/re2/wiki/Syntax';

export type CompiledPattern = RE2JS;

/** Compiles a needs-input pattern, or throws an Error whose message says what is not supported. */
export function compileNeedsInputPattern(pattern: string): CompiledPattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, RE2JS.MULTILINE);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(
      `is not a pattern Errand can run (${detail}). Patterns use RE2 syntax (${RE2_SYNTAX}), which always runs in ` +
        'linear time: backreferences (\\1, \\k<name>) and lookarounds ((?=…), (?!…), (?<=…), (?<!…)) are not supported.',
    );
  }
  const size = compiled.programSize();
  if (size > MAX_PATTERN_PROGRAM_SIZE) {
    throw new Error(
      `is too complex: it compiles to ${size} instructions, more than ${MAX_PATTERN_PROGRAM_SIZE}. ` +
        'Large counted repetitions ({500}) and long alternations make it big: match less, e.g. just the question\'s end.',
    );
  }
  return compiled;
}

export interface PatternMatch {
  index: number;
  text: string;
}

/** The last match in `text` (one answered earlier may still be on the screen above it), or null. */
export function lastMatch(pattern: CompiledPattern, text: string): PatternMatch | null {
  const matcher = pattern.matcher(text);
  let found: PatternMatch | null = null;
  while (matcher.find()) found = { index: matcher.start(), text: matcher.group() ?? '' };
  return found;
}

/** The end of the screen text that a pattern may see: whole lines, unless the last one alone is longer. */
export function matchedTail(text: string): string {
  if (text.length <= MAX_MATCHED_TEXT_CHARS) return text;
  const tail = text.slice(-MAX_MATCHED_TEXT_CHARS);
  const lineStart = tail.indexOf('\n');
  return lineStart === -1 ? tail : tail.slice(lineStart + 1);
}
