// Each structured interpreter on the event shapes its CLI prints (AGENT-CLIS.md), fed in small pieces.
import { describe, expect, it } from 'vitest';
import type { Interpreter, Signal } from '../../../../electron/engine/agents/adapter.js';
import { codexAdapter } from '../../../../electron/engine/agents/codex-adapter.js';
import { OpenCodeInterpreter } from '../../../../electron/engine/agents/opencode-adapter.js';
import { geminiAdapter, qwenAdapter } from '../../../../electron/engine/agents/qwen-gemini-adapters.js';
import type { ProfileInfo } from '../../../../shared/domain.js';

const profile = { id: 1, name: 'p', adapter: 'codex', command: [], env: {}, needsInput: null, options: {}, builtin: true, createdAt: 0 } as ProfileInfo;

function feed(interpreter: Interpreter, lines: (object | string)[], chunk = 13): Signal[] {
  const bytes = Buffer.from(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  const out: Signal[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...interpreter.onOutput!(bytes.subarray(i, i + chunk)));
  return out;
}

describe('Codex', () => {
  it('takes the thread id, todos and usage, and succeeds on turn.completed', () => {
    const signals = feed(codexAdapter.interpreter(profile), [
      { type: 'thread.started', thread_id: 'th_1' },
      { type: 'turn.started' },
      { type: 'item.updated', item: { id: 'i1', type: 'todo_list', items: [{ text: 'a', completed: true }, { text: 'b', completed: false }] } },
      { type: 'item.completed', item: { id: 'i2', type: 'agent_message', text: 'All done.' } },
      { type: 'turn.completed', usage: { input_tokens: 900, cached_input_tokens: 100, output_tokens: 50 } },
    ]);
    expect(signals).toEqual([
      { type: 'session', sessionId: 'th_1' },
      { type: 'progress', progress: { todosDone: 1, todosTotal: 2 } },
      { type: 'progress', progress: { inputTokens: 900, outputTokens: 50 } },
      { type: 'done', verdict: { status: 'succeeded', reason: null }, resultText: 'All done.' },
    ]);
  });

  it('fails on turn.failed with the error, and asks the person on request_user_input', () => {
    const failed = feed(codexAdapter.interpreter(profile), [{ type: 'turn.failed', error: { message: 'stream error: 500 Internal Server Error' } }]);
    expect(failed).toEqual([{ type: 'done', verdict: { status: 'failed', reason: 'API error: stream error: 500 Internal Server Error' }, resultText: null }]);
    const asked = feed(codexAdapter.interpreter(profile), [{ type: 'item.completed', item: { type: 'request_user_input', question: 'Which API version?' } }]);
    expect(asked).toEqual([{ type: 'needs_input', question: 'Codex asks: Which API version?' }]);
  });

  it('says unknown, not done, when it exits 0 without completing a turn', () => {
    expect(codexAdapter.interpreter(profile).onExit({ exitCode: 0, signal: null }, null).status).toBe('unknown');
  });

  it('reads the prompt from stdin and resumes by thread id', () => {
    const start = codexAdapter.launch({ ...profile, options: { model: 'm', permissionMode: 'workspace-write' } }, { kind: 'start', prompt: 'x', promptFile: '/p', worktree: '/w', sessionId: null, binary: '/b/codex' });
    expect(start).toMatchObject({ argv: ['/b/codex', 'exec', '--json', '--skip-git-repo-check', '-m', 'm', '-s', 'workspace-write', '-'], stdinFile: '/p' });
    const resumed = codexAdapter.launch(profile, { kind: 'reply', prompt: 'y', promptFile: '/p', worktree: '/w', sessionId: 'th_1', binary: null });
    expect(resumed.argv.slice(-3)).toEqual(['resume', 'th_1', '-']);
  });
});

describe('Qwen Code and Gemini CLI', () => {
  const result = (text: string) => ({ type: 'result', subtype: 'success', is_error: false, result: text, session_id: 's1', usage: { input_tokens: 10, output_tokens: 5 } });

  it('catches Qwen\'s API error that claims success', () => {
    const signals = feed(qwenAdapter.interpreter(profile), [{ type: 'system', subtype: 'init', session_id: 's1' }, result('[API Error: Connection error.]')]);
    expect(signals.at(-1)).toEqual({ type: 'done', verdict: { status: 'failed', reason: 'API error: [API Error: Connection error.]' }, resultText: '[API Error: Connection error.]' });
  });

  it('reports refused tools as needing the person', () => {
    const denied = { ...result('I could not run it.'), permission_denials: [{ tool_name: 'run_shell_command', tool_input: { command: 'rm -rf build' } }] };
    const signals = feed(qwenAdapter.interpreter(profile), [denied]);
    expect(signals.at(-1)).toMatchObject({ type: 'done', verdict: { status: 'needs_input', reason: expect.stringContaining('run_shell_command: rm -rf build') } });
  });

  it('knows Gemini\'s exit codes', () => {
    expect(geminiAdapter.interpreter(profile).onExit({ exitCode: 53, signal: null }, null)).toEqual({ status: 'failed', reason: 'turn limit reached (exit code 53)' });
  });
});

describe('OpenCode', () => {
  it('reports an auto-rejected permission as needing the person, though it exits 0', () => {
    const interpreter = new OpenCodeInterpreter();
    feed(interpreter, [
      { type: 'step_start', sessionID: 'ses_1', part: { type: 'step-start' } },
      'permission requested: bash (touch x); auto-rejecting',
      { type: 'step_finish', sessionID: 'ses_1', part: { reason: 'stop', tokens: { input: 10, output: 3 }, cost: 0 } },
    ]);
    expect(interpreter.onExit({ exitCode: 0, signal: null })).toMatchObject({ status: 'needs_input', reason: expect.stringContaining('bash (touch x)') });
  });

  it('fails on an error event, and succeeds after a stop step with its last text', () => {
    const failing = new OpenCodeInterpreter();
    feed(failing, [{ type: 'error', sessionID: 's', error: { name: 'APIError', data: { message: 'Internal Server Error' } } }]);
    expect(failing.onExit({ exitCode: 1, signal: null })).toMatchObject({ status: 'failed', reason: 'API error: Internal Server Error' });
    const ok = new OpenCodeInterpreter();
    const signals = feed(ok, [
      { type: 'text', sessionID: 's', part: { type: 'text', text: 'The answer is 42.' } },
      { type: 'step_finish', sessionID: 's', part: { reason: 'stop', tokens: { input: 7, output: 2 } } },
    ]);
    expect(signals[0]).toEqual({ type: 'session', sessionId: 's' });
    expect(ok.onExit({ exitCode: 0, signal: null })).toEqual({ status: 'succeeded', reason: null, resultText: 'The answer is 42.' });
  });
});
