// The generic command profile: an argv template, an optional needs-input rule, and exit code 0 meaning success.
import { constants } from 'node:os';
import type { ProfileInfo } from '../../../shared/domain.js';
import { compileNeedsInputPattern, lastMatch, matchedTail } from '../../../shared/needs-input-pattern.js';
import type { CompiledPattern } from '../../../shared/needs-input-pattern.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { AgentAdapter, ExitInfo, Interpreter, LaunchContext, LaunchSpec, Signal, Verdict } from './adapter.js';
import { commandBackend } from './backend-wiring.js';

/** Linux refuses a single argument longer than this (MAX_ARG_STRLEN less the terminating NUL). */
export const MAX_ARG_BYTES = 128 * 1024 - 1;

const PLACEHOLDERS = /\{prompt(_file)?\}/g;
/** Where a placeholder may stand: a whole argument, or the value of a `--flag=` argument. */
const WHOLE_OR_FLAG_VALUE = /^(?:--[A-Za-z0-9][A-Za-z0-9-]*=)?\{prompt(?:_file)?\}$/;
/** A path made only of these characters reads as itself to a shell, Node, Python or Perl, even inside code. */
const CODE_SAFE_PATH = /^[A-Za-z0-9_./-]+$/;

export function expandCommand(template: string[], context: LaunchContext): { argv: string[]; usesStdin: boolean } {
  let placed = false;
  const argv = template.map((arg) => {
    if (!arg.includes('{prompt}') && !arg.includes('{prompt_file}')) return arg;
    placed = true;
    if (arg.includes('{prompt_file}') && !WHOLE_OR_FLAG_VALUE.test(arg) && !CODE_SAFE_PATH.test(context.promptFile)) {
      throw new ErrandError(
        'invalid_params',
        `The argument "${arg}" puts {prompt_file} inside other text, which is safe only for a path of plain characters, ` +
          `and the prompt file is ${context.promptFile}. Make {prompt_file} an argument of its own, ` +
          `e.g. sh -c 'my-agent < "$1"' sh {prompt_file}, or move the data dir (ERRAND_HOME) to a plain path.`,
      );
    }
    // One pass: a prompt that contains "{prompt_file}", or a path that contains "{prompt}", stays as it is.
    const value = arg.replace(PLACEHOLDERS, (_m, file: string | undefined) => (file ? context.promptFile : context.prompt));
    if (Buffer.byteLength(value) > MAX_ARG_BYTES) {
      throw new ErrandError(
        'invalid_params',
        `The prompt is ${Buffer.byteLength(context.prompt)} bytes, more than one program argument can carry (128 KiB). ` +
          'Use {prompt_file} in the profile instead of {prompt}, or neither to send the prompt on stdin.',
      );
    }
    return value;
  });
  return { argv, usesStdin: !placed };
}

/**
 * Refuses a template that splices the prompt into a larger argument (`sh -c "echo {prompt}"`, `node --eval=f({prompt})`):
 * whatever program reads that argument as code would run the prompt as code. The rule is structural, so it holds for
 * any program and any wrapper (`env`, `timeout`, `busybox`): {prompt} is a whole argument or a `--flag={prompt}` value.
 * The prompt given whole to a program that runs its argument (`sh -c {prompt}`) is the template's stated intent and is
 * not refused: nothing can be quoted wrong there. {prompt_file} is a path Errand chooses; inside other text it is
 * checked at launch (expandCommand).
 */
export function checkCommandTemplate(template: string[]): void {
  const program = template[0] ?? '';
  if (program.includes('{prompt}') || program.includes('{prompt_file}')) {
    throw new ErrandError('invalid_params', `The program to run is "${program}": put the program first, and the placeholder in an argument after it.`);
  }
  for (const arg of template.slice(1)) {
    if (!arg.includes('{prompt}') || WHOLE_OR_FLAG_VALUE.test(arg)) continue;
    throw new ErrandError(
      'invalid_params',
      `The argument "${arg}" splices {prompt} into other text: a program that reads it as code (sh -c, node -e, ` +
        'python -c, …) would run the prompt as code. {prompt} may only be a whole argument or the value of --flag={prompt}. ' +
        `To use the prompt inside a script, read it from {prompt_file} (e.g. sh -c 'my-agent --task "$(cat "$1")"' sh {prompt_file}), ` +
        'or leave out both placeholders and the prompt arrives on stdin.',
    );
  }
}

export function signalName(signal: number): string {
  const entry = Object.entries(constants.signals).find(([, n]) => n === signal);
  return entry ? entry[0] : `signal ${signal}`;
}

export function exitVerdict(exit: ExitInfo): Verdict {
  if (exit.signal) return { status: 'failed', reason: `killed by ${signalName(exit.signal)}` };
  if (exit.exitCode === 0) return { status: 'succeeded', reason: null };
  return { status: 'failed', reason: `exited with code ${exit.exitCode}` };
}

/** The profile's compiled needs-input pattern; refuses, saying how to fix it, one saved before RE2 was required. */
function profilePattern(profile: ProfileInfo): CompiledPattern | null {
  if (!profile.needsInput) return null;
  try {
    return compileNeedsInputPattern(profile.needsInput.pattern);
  } catch (error) {
    throw new ErrandError(
      'invalid_params',
      `The profile's --needs-input pattern /${profile.needsInput.pattern}/ ${(error as Error).message} ` +
        `Change it with errand profile add ${profile.name} --replace --needs-input '…' -- …, then retry the task.`,
    );
  }
}

class CommandInterpreter implements Interpreter {
  readonly quietMs: number | null;
  readonly screenLines: number;
  private readonly pattern: CompiledPattern | null;

  constructor(profile: ProfileInfo) {
    let pattern: CompiledPattern | null = null;
    try {
      pattern = profilePattern(profile);
    } catch {
      // launch() refuses such a profile with the reason: no agent runs without its rule.
    }
    this.pattern = pattern;
    this.quietMs = pattern ? profile.needsInput!.quietMs : null;
    this.screenLines = pattern ? profile.needsInput!.lines : 0;
  }

  onQuiet(lastLines: string[]): Signal | null {
    if (!this.pattern) return null;
    const text = matchedTail(lastLines.join('\n').trimEnd());
    const match = lastMatch(this.pattern, text);
    if (!match) return { type: 'running' };
    const lineStart = text.lastIndexOf('\n', match.index) + 1;
    const lineEnd = text.indexOf('\n', match.index + match.text.length);
    const question = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).trim();
    return { type: 'needs_input', question: question || match.text };
  }

  onExit(exit: ExitInfo): Verdict {
    return exitVerdict(exit);
  }
}

export const commandAdapter: AgentAdapter = {
  id: 'command',
  binaryNames: [],
  backend: commandBackend,
  install: 'A command profile runs the program its profile names: install that program.',
  launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec {
    if (context.kind !== 'start') {
      throw new ErrandError('conflict', 'A command profile has no agent session to continue. File a new task with errand add.');
    }
    // Both were checked when the profile was saved; a profile saved by an older Errand is checked here.
    checkCommandTemplate(profile.command);
    profilePattern(profile);
    const { argv, usesStdin } = expandCommand(profile.command, context);
    return { argv, env: profile.env, ...(usesStdin ? { stdinFile: context.promptFile } : {}) };
  },
  interpreter(profile: ProfileInfo): Interpreter {
    return new CommandInterpreter(profile);
  },
  followUp(message: string): string {
    return `${message}\r`;
  },
};
