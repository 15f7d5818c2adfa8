// Claude Code, Qwen Code and Gemini CLI: how each is launched, how its stream-json is read, and how Claude's
// questions are answered. Event shapes are the ones the real CLIs printed against the scripted model server.
import { describe, expect, it } from 'vitest';
import type { Interpreter, LaunchContext, Signal } from '../../../../electron/engine/agents/adapter.js';
import { claudeAdapter } from '../../../../electron/engine/agents/claude-adapter.js';
import { GeminiStreamInterpreter, MAX_RESULT_CHARS } from '../../../../electron/engine/agents/gemini-stream.js';
import { StreamJsonInterpreter } from '../../../../electron/engine/agents/stream-json.js';
import { geminiAdapter, qwenAdapter } from '../../../../electron/engine/agents/qwen-gemini-adapters.js';
import type { PermissionRequest, ProfileInfo } from '../../../../shared/domain.js';

const profile = (over: Partial<ProfileInfo> = {}): ProfileInfo =>
  ({ id: 1, name: 'p', adapter: 'qwen', command: [], env: {}, needsInput: null, options: {}, builtin: false, createdAt: 0, ...over }) as ProfileInfo;
const start: LaunchContext = { kind: 'start', prompt: 'do it', promptFile: '/p', worktree: '/w', sessionId: null, binary: '/b/cli' };

function feed(interpreter: Interpreter, lines: (object | string)[], chunk = 11): Signal[] {
  const bytes = Buffer.from(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  const out: Signal[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...interpreter.onOutput!(bytes.subarray(i, i + chunk)));
  return out;
}

describe('Qwen Code launch', () => {
  it('spells the approval mode its own way, and uses OpenAI auth when the profile names an OpenAI endpoint', () => {
    const spec = qwenAdapter.launch(
      profile({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }, options: { model: 'm', permissionMode: 'auto_edit' } }),
      start,
    );
    expect(spec.argv).toEqual(['/b/cli', '-p', 'do it', '--output-format', 'stream-json', '-m', 'm', '--approval-mode', 'auto-edit', '--auth-type', 'openai']);
  });

  it('lets its built-in profile run the shell: auto-edit offers no shell tool to the model unless it is allowed', () => {
    expect(qwenAdapter.defaultOptions).toEqual({ permissionMode: 'auto-edit', args: ['--allowed-tools', 'run_shell_command'] });
    const spec = qwenAdapter.launch(profile({ options: qwenAdapter.defaultOptions! }), start);
    expect(spec.argv).toEqual(['/b/cli', '-p', 'do it', '--output-format', 'stream-json', '--approval-mode', 'auto-edit', '--allowed-tools', 'run_shell_command']);
  });

  it('leaves the auth type to Qwen\'s settings without an OpenAI endpoint, or when the profile sets one', () => {
    expect(qwenAdapter.launch(profile(), start).argv).not.toContain('--auth-type');
    const own = qwenAdapter.launch(profile({ env: { OPENAI_API_KEY: 'k' }, options: { args: ['--auth-type', 'anthropic'] } }), start).argv;
    expect(own.filter((a) => a === '--auth-type')).toHaveLength(1);
    expect(own.slice(-2)).toEqual(['--auth-type', 'anthropic']);
  });

  it('resumes by session id', () => {
    const spec = qwenAdapter.launch(profile(), { ...start, kind: 'reply', sessionId: 's-1' });
    expect(spec.argv.slice(-2)).toEqual(['--resume', 's-1']);
  });
});

describe('Gemini CLI launch', () => {
  it('spells the approval mode its own way and never adds an auth type', () => {
    const spec = geminiAdapter.launch(profile({ adapter: 'gemini', env: { OPENAI_API_KEY: 'k' }, options: { model: 'g', permissionMode: 'auto-edit' } }), start);
    expect(spec.argv).toEqual(['/b/cli', '-p', 'do it', '--output-format', 'stream-json', '-m', 'g', '--approval-mode', 'auto_edit']);
    expect(geminiAdapter.defaultOptions).toEqual({ permissionMode: 'auto_edit', args: ['--allowed-tools', 'run_shell_command'] });
  });
});

describe('Gemini CLI stream-json', () => {
  const init = { type: 'init', timestamp: 't', session_id: 'g-1', model: 'm' };
  const stats = { total_tokens: 30, input_tokens: 25, output_tokens: 5, cached: 0, input: 25, duration_ms: 9, tool_calls: 0 };
  const say = (content: string) => ({ type: 'message', timestamp: 't', role: 'assistant', content, delta: true });

  it('takes the session, joins assistant deltas into the answer, and succeeds', () => {
    const signals = feed(new GeminiStreamInterpreter(), [
      init,
      { type: 'message', timestamp: 't', role: 'user', content: 'What is it?' },
      say('The '),
      say('answer is 42.'),
      { type: 'result', timestamp: 't', status: 'success', stats },
    ]);
    expect(signals).toEqual([
      { type: 'session', sessionId: 'g-1' },
      { type: 'progress', progress: { retrying: 0, inputTokens: 25, outputTokens: 5 } },
      { type: 'done', verdict: { status: 'succeeded', reason: null }, resultText: 'The answer is 42.' },
    ]);
  });

  it('answers with the text after the last tool call, and reads todos', () => {
    const signals = feed(new GeminiStreamInterpreter(), [
      say('I will create it.'),
      { type: 'tool_use', tool_name: 'write_todos', tool_id: 't0', parameters: { todos: [{ description: 'a', status: 'completed' }, { description: 'b', status: 'pending' }] } },
      { type: 'tool_result', tool_id: 't0', status: 'success' },
      { type: 'tool_use', tool_name: 'write_file', tool_id: 't1', parameters: { file_path: '/w/x', content: 'x' } },
      { type: 'tool_result', tool_id: 't1', status: 'success' },
      say('I created it.'),
      { type: 'result', status: 'success', stats },
    ]);
    expect(signals).toContainEqual({ type: 'progress', progress: { todosDone: 1, todosTotal: 2 } });
    expect(signals.at(-1)).toEqual({ type: 'done', verdict: { status: 'succeeded', reason: null }, resultText: 'I created it.' });
  });

  it('keeps only the last few KB of a long answer', () => {
    const signals = feed(new GeminiStreamInterpreter(), [...Array.from({ length: 200 }, (_, i) => say(`${String(i).padStart(3, '0')} ${'x'.repeat(96)}`)), { type: 'result', status: 'success', stats }], 4096);
    const done = signals.at(-1) as Extract<Signal, { type: 'done' }>;
    expect(done.resultText).toHaveLength(MAX_RESULT_CHARS);
    expect(done.resultText!.endsWith(`199 ${'x'.repeat(96)}`)).toBe(true);
  });

  it('fails with the API error from an error result (exit 244 on a 500)', () => {
    const interpreter = new GeminiStreamInterpreter();
    const message = '[API Error: {"error":{"code":500,"message":"boom","status":"INTERNAL"}}]';
    const signals = feed(interpreter, [init, { type: 'result', status: 'error', error: { type: 'unknown', message }, stats }]);
    const verdict = { status: 'failed', reason: `API error: ${message}` };
    expect(signals.at(-1)).toEqual({ type: 'done', verdict, resultText: null });
    expect(interpreter.onExit({ exitCode: 244, signal: null }, verdict as never)).toBe(verdict);
  });

  it('uses the last error event when an error result carries no message', () => {
    const signals = feed(new GeminiStreamInterpreter(), [
      { type: 'error', severity: 'warning', message: 'just a warning' },
      { type: 'error', severity: 'error', message: 'Model stream ended with an invalid chunk' },
      { type: 'result', status: 'error', stats },
    ]);
    expect(signals.at(-1)).toMatchObject({ verdict: { status: 'failed', reason: 'Gemini CLI failed: Model stream ended with an invalid chunk' } });
  });

  it('reports a tool its policy refused as needing the person, naming the command', () => {
    const signals = feed(new GeminiStreamInterpreter(), [
      { type: 'tool_use', tool_name: 'run_shell_command', tool_id: 's1', parameters: { command: "sh -c 'touch x'" } },
      { type: 'tool_result', tool_id: 's1', status: 'error', output: 'Tool execution denied by policy.', error: { type: 'policy_violation', message: 'Tool execution denied by policy.' } },
      say('The tool call was refused, so I stopped.'),
      { type: 'result', status: 'success', stats },
    ]);
    expect(signals.at(-1)).toMatchObject({
      verdict: { status: 'needs_input', reason: expect.stringContaining("Gemini CLI was refused: run_shell_command: sh -c 'touch x'.") },
      resultText: 'The tool call was refused, so I stopped.',
    });
  });

  it('does not count a tool that merely failed as refused', () => {
    const signals = feed(new GeminiStreamInterpreter(), [
      { type: 'tool_use', tool_name: 'read_file', tool_id: 'r1', parameters: { file_path: '/nope' } },
      { type: 'tool_result', tool_id: 'r1', status: 'error', error: { type: 'file_not_found', message: 'no such file' } },
      { type: 'result', status: 'success', stats },
    ]);
    expect(signals.at(-1)).toMatchObject({ verdict: { status: 'succeeded' } });
  });

  it('knows its exit codes, and says unknown when it exits 0 without a result', () => {
    expect(new GeminiStreamInterpreter().onExit({ exitCode: 53, signal: null }, null)).toEqual({ status: 'failed', reason: 'turn limit reached (exit code 53)' });
    expect(new GeminiStreamInterpreter().onExit({ exitCode: 0, signal: null }, null).status).toBe('unknown');
    expect(new GeminiStreamInterpreter().onExit({ exitCode: 1, signal: null }, null)).toEqual({ status: 'failed', reason: 'Gemini CLI exited with code 1 (crashed?)' });
  });
});

describe('Claude Code questions (AskUserQuestion over the stdio permission protocol)', () => {
  const input = {
    questions: [{ question: 'Which colour?', header: 'Colour', options: [{ label: 'Red', description: '' }, { label: 'Blue', description: '' }], multiSelect: false }],
  };
  const ask = { type: 'control_request', request_id: 'r1', request: { subtype: 'can_use_tool', tool_name: 'AskUserQuestion', input } };

  it('asks the person the question itself, with its options', () => {
    const signals = feed(claudeAdapter.interpreter(profile({ adapter: 'claude' })), [ask]);
    expect(signals).toEqual([
      { type: 'needs_input', question: 'Claude asks: Which colour? (Red / Blue)', request: { id: 'r1', tool: 'AskUserQuestion', input, summary: expect.any(String) } },
    ]);
  });

  it('says what any other tool wants: the command for a shell, the tool and its target otherwise', () => {
    const request = (tool_name: string, input: object) => ({ type: 'control_request', request_id: tool_name, request: { subtype: 'can_use_tool', tool_name, input } });
    const signals = feed(claudeAdapter.interpreter(profile({ adapter: 'claude' })), [request('Bash', { command: 'npm publish' }), request('Edit', { file_path: 'src/a.ts' })]);
    expect(signals.map((s) => (s.type === 'needs_input' ? s.question : s.type))).toEqual(['Claude wants to run: npm publish', 'Claude wants to use Edit: src/a.ts']);
  });

  it('takes a reply as the answer to each question; a reply to any other tool denies it with the words', () => {
    const request: PermissionRequest = { id: 'r1', tool: 'AskUserQuestion', input, summary: '' };
    const answered = JSON.parse(claudeAdapter.answer!(request, { behavior: 'answer', message: 'Blue' })!);
    expect(answered).toEqual({
      type: 'control_response',
      response: { subtype: 'success', request_id: 'r1', response: { behavior: 'allow', updatedInput: { ...input, answers: { 'Which colour?': 'Blue' } } } },
    });
    const bash: PermissionRequest = { id: 'r2', tool: 'Bash', input: { command: 'npm publish' }, summary: 'Bash: npm publish' };
    expect(JSON.parse(claudeAdapter.answer!(bash, { behavior: 'answer', message: 'use staging' })!).response.response).toEqual({
      behavior: 'deny',
      message: 'The person answered instead: use staging',
    });
    expect(JSON.parse(claudeAdapter.answer!(bash, { behavior: 'allow' })!).response.response).toEqual({ behavior: 'allow', updatedInput: { command: 'npm publish' } });
  });
});

describe('Claude Code after a denial', () => {
  const asked = { type: 'control_request', request_id: 'r1', request: { subtype: 'can_use_tool', tool_name: 'Bash', input: { command: 'npm publish' }, tool_use_id: 't1' } };
  const result = (denials: object[]) => ({ type: 'result', subtype: 'success', is_error: false, result: 'I did not publish.', session_id: 's1', permission_denials: denials });
  const publish = { tool_name: 'Bash', tool_use_id: 't1', tool_input: { command: 'npm publish' } };

  it('takes a denial the person made as their decision, not a refusal that needs them again', () => {
    const signals = feed(claudeAdapter.interpreter(profile({ adapter: 'claude' })), [asked, result([publish])]);
    // The judge adds "you denied: npm publish" to the verdict; the interpreter only must not call it a refusal.
    expect(signals.at(-1)).toEqual({ type: 'done', verdict: { status: 'succeeded', reason: null }, resultText: 'I did not publish.' });
  });

  it('reports what its rules refused without asking, beside what the person denied', () => {
    const edit = { tool_name: 'Edit', tool_use_id: 't2', tool_input: { file_path: 'src/a.ts' } };
    const signals = feed(claudeAdapter.interpreter(profile({ adapter: 'claude' })), [asked, result([publish, edit])]);
    expect(signals.at(-1)).toMatchObject({
      type: 'done',
      verdict: { status: 'needs_input', reason: "Claude was refused: Edit: src/a.ts. Its settings deny that: allow it in the profile (-- --allowedTools '<tool>'), then errand reply." },
    });
  });
});

describe('Claude Code stream-json, however the output is cut', () => {
  const text = (t: string) => ({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'text', text: t }] } });
  const todos = { type: 'assistant', message: { role: 'assistant', content: [{ type: 'tool_use', name: 'TodoWrite', input: { todos: [{ status: 'completed' }, { status: 'pending' }] } }] } };
  const lines = [
    { type: 'system', subtype: 'init', session_id: 's1' },
    text('x'.repeat(3000)),
    todos,
    text('short'),
    'a log line that is no JSON',
    { type: 'result', subtype: 'success', is_error: false, result: 'Done.', session_id: 's1' },
  ];

  it('gives the same signals for pieces of 1 byte, of a few, and of whole blocks', () => {
    const expected = [
      { type: 'session', sessionId: 's1' },
      { type: 'progress', progress: { todosDone: 1, todosTotal: 2 } },
      { type: 'session', sessionId: 's1' },
      expect.objectContaining({ type: 'done', verdict: { status: 'succeeded', reason: null }, resultText: 'Done.' }),
    ];
    for (const chunk of [1, 7, 100, 1500, 4096, 1 << 20]) {
      const signals = feed(claudeAdapter.interpreter(profile({ adapter: 'claude' })), lines, chunk).filter((s) => s.type !== 'progress' || 'todosTotal' in s.progress);
      expect(signals, `pieces of ${chunk}`).toEqual(expected);
    }
  });
});

describe('Claude Code retrying a failing model', () => {
  let now = 0;
  const interpreter = () => new StreamJsonInterpreter({ agentName: 'Claude', retryClock: { windowMs: 10_000, now: () => now } });
  const retry = (attempt: number, error_status: number | null) => ({
    type: 'system',
    subtype: 'api_retry',
    attempt,
    max_retries: 10,
    retry_delay_ms: 500,
    error_status,
    error: 'server_error',
    session_id: 's1',
  });
  const text = { type: 'assistant', message: { role: 'assistant', content: [{ type: 'text', text: 'Back.' }] } };
  /** Feeds each [time, line] in turn, at that time; returns every signal. */
  const play = (claude: Interpreter, timeline: [number, object][]) =>
    timeline.flatMap(([at, line]) => {
      now = at;
      return feed(claude, [line]);
    });
  const done = (signals: Signal[]) => signals.filter((s) => s.type === 'done');

  it('fails the run once 5xx answers have gone on for the window, naming the status', () => {
    const signals = play(interpreter(), [
      [0, retry(1, 500)],
      [4_000, retry(2, 500)],
      [10_500, retry(3, 500)],
    ]);
    expect(signals).toContainEqual({ type: 'progress', progress: { retrying: 3 } });
    expect(done(signals)).toEqual([
      { type: 'done', verdict: { status: 'failed', reason: 'API error: HTTP 500 (server_error); Claude was still retrying after 3 attempts' }, resultText: null },
    ]);
  });

  it('gives up as soon as the next attempt would come after the window: nothing can succeed before it', () => {
    const signals = play(interpreter(), [
      [0, retry(1, 500)],
      [4_000, { ...retry(2, 500), retry_delay_ms: 8_000 }],
    ]);
    expect(done(signals)).toHaveLength(1);
  });

  it('starts counting again after a call gets through, and waits out rate limits', () => {
    const recovered = play(interpreter(), [
      [0, retry(1, 500)],
      [1_000, text],
      [9_000, retry(1, 500)],
      [15_000, retry(2, 500)],
    ]);
    expect(recovered).toContainEqual({ type: 'progress', progress: { retrying: 0 } });
    expect(done(recovered)).toEqual([]);
    expect(done(play(interpreter(), [[0, retry(1, 429)], [30_000, retry(2, 429)], [60_000, retry(3, 429)]]))).toEqual([]);
    const unreachable = done(play(interpreter(), [[0, retry(1, null)], [12_000, retry(2, null)]]));
    expect(unreachable[0]).toMatchObject({ verdict: { reason: 'API error: no answer (server_error); Claude was still retrying after 2 attempts' } });
  });
});
