import { describe, expect, it } from 'vitest';
import type { ProfileInfo } from '../../../../shared/domain.js';
import { ErrandError } from '../../../../shared/protocol/errors.js';
import { checkCommandTemplate, commandAdapter, expandCommand, exitVerdict } from '../../../../electron/engine/agents/command-adapter.js';

const context = { kind: 'start' as const, prompt: 'do $(it) "now"', promptFile: '/data/runs/1/prompt.txt', worktree: '/w', sessionId: null, binary: null };

function profile(needsInput: ProfileInfo['needsInput'] = null): ProfileInfo {
  return { id: 1, name: 'p', adapter: 'command', command: ['agent'], env: {}, needsInput, options: {}, builtin: false, createdAt: 0 };
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

  it('refuses templates that splice the prompt into code', () => {
    for (const bad of [
      ['sh', '-c', 'echo {prompt}'],
      ['/bin/bash', '-lc', 'run "{prompt}"'],
      ['node', '-e', 'console.log("{prompt}")'],
      ['python3', '-c', 'print("{prompt}")'],
    ]) {
      expect(() => checkCommandTemplate(bad), bad.join(' ')).toThrow(ErrandError);
    }
    expect(() => checkCommandTemplate(['sh', '-c', 'echo "$1"', 'sh', '{prompt}'])).not.toThrow();
    expect(() => checkCommandTemplate(['agent', '-c', '{prompt}'])).not.toThrow();
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

  it('judges the exit: 0 succeeded, anything else failed with the reason', () => {
    expect(exitVerdict({ exitCode: 0, signal: null })).toEqual({ status: 'succeeded', reason: null });
    expect(exitVerdict({ exitCode: 2, signal: null })).toEqual({ status: 'failed', reason: 'exited with code 2' });
    expect(exitVerdict({ exitCode: 0, signal: 9 })).toEqual({ status: 'failed', reason: 'killed by SIGKILL' });
  });
});
