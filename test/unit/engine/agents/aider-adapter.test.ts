import { describe, expect, it } from 'vitest';
import { aiderAdapter, AiderInterpreter } from '../../../../electron/engine/agents/aider-adapter.js';
import type { Signal } from '../../../../electron/engine/agents/adapter.js';

// Aider's documented plain output (--no-pretty): it exits 0 even when the model call failed.
const SUCCESS = [
  'Aider v0.86.1',
  'Main model: ollama_chat/qwen3-coder with whole edit format',
  'Git repo: .git with 3 files',
  '',
  'hello.py',
  '```',
  'print("hello")',
  '```',
  'Tokens: 2.5k sent, 312 received. Cost: $0.01 message, $0.03 session.',
  'Applied edit to hello.py',
  'Commit 1a2b3c4 feat: say hello',
  '',
].join('\r\n');

const FAILURE = [
  'Aider v0.86.1',
  'Main model: gpt-4o with diff edit format',
  'litellm.AuthenticationError: AuthenticationError: OpenAIException - Incorrect API key provided: sk-xxxx.',
  'The API provider is not able to authenticate you. Check your API key.',
  '',
].join('\r\n');

function feed(interpreter: AiderInterpreter, text: string, chunk = 7): Signal[] {
  const bytes = Buffer.from(text);
  const signals: Signal[] = [];
  for (let i = 0; i < bytes.length; i += chunk) signals.push(...interpreter.onOutput(bytes.subarray(i, i + chunk)));
  return signals;
}

describe('the Aider adapter', () => {
  it('reads tokens and cost from its output, however the bytes are split', () => {
    const interpreter = new AiderInterpreter();
    const signals = feed(interpreter, SUCCESS);
    expect(signals).toEqual([{ type: 'progress', progress: { inputTokens: 2500, outputTokens: 312, costUsd: 0.03 } }]);
    expect(interpreter.onExit({ exitCode: 0, signal: null })).toEqual({ status: 'succeeded', reason: null });
  });

  it('fails a run whose model call failed even though aider exits 0', () => {
    const interpreter = new AiderInterpreter();
    feed(interpreter, FAILURE);
    const verdict = interpreter.onExit({ exitCode: 0, signal: null });
    expect(verdict.status).toBe('failed');
    expect(verdict.reason).toMatch(/^API error: litellm\.AuthenticationError/);
  });

  it('sends the prompt as a file, never as a shell string, and continues from the chat history', () => {
    const profile = { id: 1, name: 'aider', adapter: 'aider' as const, command: [], env: {}, needsInput: null, options: { model: 'gpt-4o' }, builtin: true, createdAt: 0 };
    const start = aiderAdapter.launch(profile, { kind: 'start', prompt: '$(x)', promptFile: '/p.txt', worktree: '/w', sessionId: null, binary: '/bin/aider' });
    expect(start.argv).toEqual(['/bin/aider', '--message-file', '/p.txt', '--yes-always', '--no-pretty', '--no-check-update', '--no-show-release-notes', '--model', 'gpt-4o']);
    const reply = aiderAdapter.launch(profile, { kind: 'reply', prompt: 'more', promptFile: '/p.txt', worktree: '/w', sessionId: null, binary: null });
    expect(reply.argv).toContain('--restore-chat-history');
    expect(aiderAdapter.continuesWithoutSession).toBe(true);
  });
});
