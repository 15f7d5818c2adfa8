// The generic command profile: an argv template, an optional needs-input rule, and exit code 0 meaning success.
import { constants } from 'node:os';
import type { ProfileInfo } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { AgentAdapter, ExitInfo, Interpreter, LaunchContext, LaunchSpec, Signal, Verdict } from './adapter.js';

/** Linux refuses a single argument longer than this (MAX_ARG_STRLEN less the terminating NUL). */
export const MAX_ARG_BYTES = 128 * 1024 - 1;

export function expandCommand(template: string[], context: LaunchContext): { argv: string[]; usesStdin: boolean } {
  let placed = false;
  const argv = template.map((arg) => {
    if (!arg.includes('{prompt}') && !arg.includes('{prompt_file}')) return arg;
    placed = true;
    const value = arg.replaceAll('{prompt_file}', context.promptFile).replaceAll('{prompt}', context.prompt);
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

/** Programs that run code given in an argument, and the flags that introduce that code. */
const CODE_FLAGS: Record<string, RegExp> = {
  sh: /^-[a-z]*c[a-z]*$/,
  bash: /^-[a-z]*c[a-z]*$/,
  dash: /^-[a-z]*c[a-z]*$/,
  zsh: /^-[a-z]*c[a-z]*$/,
  ksh: /^-[a-z]*c[a-z]*$/,
  fish: /^(-c|--command)$/,
  node: /^(-e|-p|--eval|--print)$/,
  python: /^-c$/,
  python3: /^-c$/,
  perl: /^-[a-zA-Z]*e$/,
  ruby: /^-e$/,
};

/**
 * Refuses a template that would splice the prompt into code (`sh -c "echo {prompt}"`): the prompt would run as
 * shell code. The prompt must be an argument of its own, e.g. `sh -c 'echo "$1"' sh {prompt}`.
 */
export function checkCommandTemplate(template: string[]): void {
  const program = (template[0] ?? '').split('/').pop()!.replace(/\.exe$/, '');
  const flag = CODE_FLAGS[program];
  if (!flag) return;
  for (let i = 1; i < template.length - 1; i++) {
    if (flag.test(template[i]!) && template[i + 1]!.includes('{prompt}')) {
      throw new ErrandError(
        'invalid_params',
        `{prompt} inside the code given to ${program} ${template[i]} would run the prompt as code. ` +
          `Pass it as an argument of its own instead, e.g. ${program} ${template[i]} '… "$1" …' ${program} {prompt}.`,
      );
    }
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

class CommandInterpreter implements Interpreter {
  readonly quietMs: number | null;
  readonly screenLines: number;
  private readonly pattern: RegExp | null;

  constructor(profile: ProfileInfo) {
    this.quietMs = profile.needsInput?.quietMs ?? null;
    this.screenLines = profile.needsInput?.lines ?? 0;
    this.pattern = profile.needsInput ? new RegExp(profile.needsInput.pattern, 'gm') : null;
  }

  onQuiet(lastLines: string[]): Signal | null {
    if (!this.pattern) return null;
    const text = lastLines.join('\n').trimEnd();
    // The question is the last match: one answered earlier may still be on the screen above it.
    let match: RegExpExecArray | null = null;
    for (const m of text.matchAll(this.pattern)) match = m;
    if (!match) return { type: 'running' };
    const lineStart = text.lastIndexOf('\n', match.index) + 1;
    const lineEnd = text.indexOf('\n', match.index + match[0].length);
    const question = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).trim();
    return { type: 'needs_input', question: question || match[0] };
  }

  onExit(exit: ExitInfo): Verdict {
    return exitVerdict(exit);
  }
}

export const commandAdapter: AgentAdapter = {
  id: 'command',
  binaryNames: [],
  install: 'A command profile runs the program its profile names: install that program.',
  launch(profile: ProfileInfo, context: LaunchContext): LaunchSpec {
    if (context.kind !== 'start') {
      throw new ErrandError('conflict', 'A command profile has no agent session to continue. File a new task with errand add.');
    }
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
