import { describe, expect, it } from 'vitest';
import type { ProfileInfo } from '../../../../shared/domain.js';
import { ErrandError } from '../../../../shared/protocol/errors.js';
import { checkCommandTemplate, commandAdapter, expandCommand, exitVerdict } from '../../../../electron/engine/agents/command-adapter.js';
import { compileNeedsInputPattern, MAX_MATCHED_TEXT_CHARS, MAX_PATTERN_PROGRAM_SIZE, matchedTail } from '../../../../shared/needs-input-pattern.js';

const context = { kind: 'start' as const, prompt: 'do $(it) "now"', promptFile: '/data/runs/1/prompt.txt', worktree: '/w', sessionId: null, binary: null };

function profile(needsInput: ProfileInfo['needsInput'] = null): ProfileInfo {
  return { id: 1, name: 'p', adapter: 'command', command: ['agent'], env: {}, needsInput, options: {}, builtin: false, createdAt: 0 };
}

function refusal(template: string[]): ErrandError | null {
  try {
    checkCommandTemplate(template);
    return null;
  } catch (error) {
    return error as ErrandError;
  }
}

describe('the command profile', () => {
  it('puts the prompt in its own argument, untouched', () => {
    expect(expandCommand(['agent', '--task', '{prompt}', '--file={prompt_file}'], context)).toEqual({
      argv: ['agent', '--task', 'do $(it) "now"', '--file=/data/runs/1/prompt.txt'],
      usesStdin: false,
    });
  });

  it('sends the prompt on stdin when the template has no placeholder', () => {
    expect(expandCommand(['agent', '--yes'], context)).toEqual({ argv: ['agent', '--yes'], usesStdin: true });
    expect(commandAdapter.launch({ ...profile(), command: ['agent'] }, context).stdinFile).toBe(context.promptFile);
  });

  it('refuses a prompt longer than one argument can carry, saying what to use instead', () => {
    const big = { ...context, prompt: 'x'.repeat(200_000) };
    expect(() => expandCommand(['agent', '{prompt}'], big)).toThrow(/\{prompt_file\}/);
    expect(expandCommand(['agent', '{prompt_file}'], big).argv[1]).toBe(context.promptFile);
  });

  it('refuses every template that splices {prompt} into a larger argument, whatever program or wrapper runs it', () => {
    const spliced = [
      // Refused by the old blocklist too.
      ['sh', '-c', 'echo {prompt}'],
      ['bash', '-c', 'run "{prompt}"'],
      ['/bin/sh', '-c', 'echo {prompt}'],
      ['sh', '-ec', 'echo {prompt}'],
      ['bash', '--norc', '-c', 'echo {prompt}'],
      ['node', '-e', 'console.log("{prompt}")'],
      ['/bin/bash', '-lc', 'run "{prompt}"'],
      // Accepted by the old blocklist (issue 7).
      ['sh', '-c', '--', 'echo {prompt}'],
      ['sh', '-c', '-e', 'echo {prompt}'],
      ['env', 'sh', '-c', 'echo {prompt}'],
      ['/usr/bin/env', 'bash', '-c', 'echo {prompt}'],
      ['timeout', '600', 'sh', '-c', 'echo {prompt}'],
      ['nice', 'sh', '-c', 'echo {prompt}'],
      ['busybox', 'sh', '-c', 'echo {prompt}'],
      ['node', '--eval=console.log("{prompt}")'],
      ['node', '-pe', '"{prompt}"'],
      ['perl', '-E', 'say "{prompt}"'],
      ['python3.11', '-c', 'print("{prompt}")'],
      // Other splices: inside text, glued to a short option, after the start of a flag's value.
      ['agent', 'echo {prompt}'],
      ['agent', 'a{prompt}b'],
      ['agent', '-x{prompt}'],
      ['agent', '--eval=x{prompt}'],
      ['agent', '--task={prompt}!'],
      ['agent', '{prompt}{prompt}'],
      ['agent', '--={prompt}'],
      ['agent', '-t={prompt}'],
    ];
    for (const template of spliced) {
      const error = refusal(template);
      expect(error, template.join(' ')).toBeInstanceOf(ErrandError);
      expect(error!.code).toBe('invalid_params');
      expect(error!.message, template.join(' ')).toContain('{prompt_file}');
      expect(error!.message).toContain('stdin');
    }
  });

  it('takes {prompt} as a whole argument or a --flag= value, and {prompt_file} anywhere after the program', () => {
    for (const template of [
      ['my-cli', '--task', '{prompt}'],
      ['my-cli', '--task={prompt}'],
      ['my-cli', '{prompt}'],
      ['my-cli', '--file', '{prompt_file}'],
      ['my-cli', '--file={prompt_file}'],
      ['sh', '-c', 'my-agent < "$1"', 'sh', '{prompt_file}'],
      ['sh', '-c', 'cat {prompt_file} | my-agent'],
      ['sh', '-c', 'echo "$1"', 'sh', '{prompt}'],
      ['agent', '-c', '{prompt}'],
      // The prompt as the whole script is the template's own choice: there is no quoting to get wrong.
      ['sh', '-c', '{prompt}'],
      ['my-cli', '--yes'],
    ]) {
      expect(refusal(template), template.join(' ')).toBeNull();
    }
  });

  it('refuses a placeholder as the program itself', () => {
    expect(refusal(['{prompt}'])?.message).toMatch(/program/);
    expect(refusal(['{prompt_file}', '--yes'])?.message).toMatch(/program/);
  });

  it('puts {prompt_file} inside other text only when the path is made of plain characters', () => {
    const template = ['sh', '-c', 'cat {prompt_file} | my-agent'];
    expect(expandCommand(template, context).argv[2]).toBe('cat /data/runs/1/prompt.txt | my-agent');
    for (const promptFile of ["/home/o'brien/errand/runs/1/prompt.txt", '/data dir/runs/1/prompt.txt', '/d/$(x)/prompt.txt']) {
      expect(() => expandCommand(template, { ...context, promptFile }), promptFile).toThrow(/argument of its own/);
      // As a whole argument the path is never read as code: any path will do.
      expect(expandCommand(['my-cli', '{prompt_file}'], { ...context, promptFile }).argv[1]).toBe(promptFile);
      expect(expandCommand(['my-cli', '--file={prompt_file}'], { ...context, promptFile }).argv[1]).toBe(`--file=${promptFile}`);
    }
  });

  it('replaces placeholders in one pass: a prompt that mentions {prompt_file} stays as it was written', () => {
    const tricky = { ...context, prompt: 'explain {prompt_file} and {prompt}', promptFile: '/data/{prompt}/p.txt' };
    expect(expandCommand(['agent', '{prompt}', '{prompt_file}'], tricky).argv).toEqual(['agent', tricky.prompt, tricky.promptFile]);
  });

  it('refuses at launch a profile saved with a splice before the rule', () => {
    expect(() => commandAdapter.launch({ ...profile(), command: ['sh', '-c', 'echo {prompt}'] }, context)).toThrow(/splices \{prompt\}/);
  });

  it('reads a question off the screen only when the rule matches', () => {
    const interpreter = commandAdapter.interpreter(profile({ pattern: '\\[y/N\\]', quietMs: 500, lines: 5 }));
    expect(interpreter.quietMs).toBe(500);
    expect(interpreter.onQuiet(['working…', 'Delete 3 files? [y/N] '])).toEqual({
      type: 'needs_input',
      question: 'Delete 3 files? [y/N]',
    });
    expect(interpreter.onQuiet(['working…', 'still working'])).toEqual({ type: 'running' });
    // An answered question may still be on screen above the new one: the question is the last match.
    expect(interpreter.onQuiet(['Delete 3 files? [y/N] y', 'deleted', 'Delete 2 more? [y/N] '])).toEqual({
      type: 'needs_input',
      question: 'Delete 2 more? [y/N]',
    });
    expect(commandAdapter.interpreter(profile()).quietMs).toBeNull();
  });

  it('finds the question by its place in the text on a line of wide characters', () => {
    const interpreter = commandAdapter.interpreter(profile({ pattern: 'Continue\\?$', quietMs: 500, lines: 5 }));
    expect(interpreter.onQuiet(['🚀 done', '🚀🚀 مرحبا Continue?'])).toEqual({ type: 'needs_input', question: '🚀🚀 مرحبا Continue?' });
  });

  it('runs a pattern that backtracks exponentially in JavaScript in linear time, over a bounded text', () => {
    // /(a+)+$/ against 40 a's and "!" keeps JavaScript's RegExp busy for minutes; RE2 needs well under a millisecond.
    const interpreter = commandAdapter.interpreter(profile({ pattern: '(a+)+$', quietMs: 500, lines: 100 }));
    let started = performance.now();
    expect(interpreter.onQuiet([`${'a'.repeat(40)}!`])).toEqual({ type: 'running' });
    expect(performance.now() - started).toBeLessThan(200);
    // About the worst a pattern within the size limit can do, over the largest screen (100 lines of 1000 columns).
    const heavy = commandAdapter.interpreter(profile({ pattern: '[a-z]{240}$', quietMs: 500, lines: 100 }));
    const screen = Array.from({ length: 100 }, (_, i) => `${'abcdefghij'.repeat(99)}${i}!`);
    heavy.onQuiet(screen);
    started = performance.now();
    expect(heavy.onQuiet(screen)).toEqual({ type: 'running' });
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('looks only at the end of a long screen, starting at a line', () => {
    expect(matchedTail('short')).toBe('short');
    expect(matchedTail(`${'x'.repeat(MAX_MATCHED_TEXT_CHARS)}\nfirst kept\nlast`)).toBe('first kept\nlast');
    expect(matchedTail('y'.repeat(MAX_MATCHED_TEXT_CHARS * 2))).toHaveLength(MAX_MATCHED_TEXT_CHARS);
    // A line the cut went through is left out whole: ^ never matches in the middle of one.
    const interpreter = commandAdapter.interpreter(profile({ pattern: '^Proceed\\?', quietMs: 500, lines: 100 }));
    const cutLine = `${'z'.repeat(10)}Proceed?${'z'.repeat(MAX_MATCHED_TEXT_CHARS)}`;
    expect(interpreter.onQuiet([cutLine, 'next'])).toEqual({ type: 'running' });
    expect(interpreter.onQuiet([cutLine, 'Proceed?'])).toEqual({ type: 'needs_input', question: 'Proceed?' });
  });

  it('refuses patterns RE2 cannot run in linear time, or too big to run quickly, saying what is not supported', () => {
    expect(() => compileNeedsInputPattern('(a)\\1')).toThrow(/backreferences/);
    expect(() => compileNeedsInputPattern('foo(?=bar)')).toThrow(/lookarounds/);
    expect(() => compileNeedsInputPattern('[a-z]{999}')).toThrow(/too complex/);
    expect(compileNeedsInputPattern('(?i)(proceed|continue)\\?\\s*\\[y/n\\]').programSize()).toBeLessThan(MAX_PATTERN_PROGRAM_SIZE);
  });

  it('refuses to launch a profile whose pattern was saved before RE2 was required, and its interpreter stays out of it', () => {
    const old = profile({ pattern: '(a)\\1', quietMs: 500, lines: 5 });
    expect(() => commandAdapter.launch(old, context)).toThrow(/needs-input pattern \/\(a\)\\1\/ is not a pattern Errand can run.*errand profile add p --replace/);
    const interpreter = commandAdapter.interpreter(old);
    expect(interpreter.quietMs).toBeNull();
    expect(interpreter.onQuiet(['aa'])).toBeNull();
  });

  it('judges the exit: 0 succeeded, anything else failed with the reason', () => {
    expect(exitVerdict({ exitCode: 0, signal: null })).toEqual({ status: 'succeeded', reason: null });
    expect(exitVerdict({ exitCode: 2, signal: null })).toEqual({ status: 'failed', reason: 'exited with code 2' });
    expect(exitVerdict({ exitCode: 0, signal: 9 })).toEqual({ status: 'failed', reason: 'killed by SIGKILL' });
  });
});
