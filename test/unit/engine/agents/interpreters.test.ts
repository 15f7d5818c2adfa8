// Each structured interpreter on the event shapes its CLI prints, fed in small pieces. The Codex (0.169) lines are as
// the real CLI printed them against the scripted model server, under a PTY.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LaunchContext, Signal } from '../../../../electron/engine/agents/adapter.js';
import { codexAdapter } from '../../../../electron/engine/agents/codex-adapter.js';
import { geminiAdapter, qwenAdapter } from '../../../../electron/engine/agents/qwen-gemini-adapters.js';
import type { ProfileInfo } from '../../../../shared/domain.js';
import { feed } from './feed-lines.js';

const profile = { id: 1, name: 'p', adapter: 'codex', command: [], env: {}, needsInput: null, options: {}, builtin: true, createdAt: 0 } as ProfileInfo;
const withOptions = (options: ProfileInfo['options'], env: Record<string, string> = {}): ProfileInfo => ({ ...profile, options, env });
const context = (over: Partial<LaunchContext> = {}): LaunchContext => ({
  kind: 'start',
  prompt: 'x',
  promptFile: '/p',
  worktree: '/w',
  sessionId: null,
  binary: '/b/cli',
  ...over,
});


describe('Codex', () => {
  const THREAD = '01a201ec-2812-7ba0-8daf-59c10827fba4';
  const started = { type: 'thread.started', thread_id: THREAD };
  const completed = { type: 'turn.completed', usage: { input_tokens: 11591, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 47, reasoning_output_tokens: 0 } };
  // stderr under a PTY: Codex colours its log lines.
  const violation = (resource: string, reason: string) =>
    `\x1b[2m2026-11-22T06:42:06.747727Z\x1b[0m \x1b[33m WARN\x1b[0m \x1b[2mcodex_sandboxing::violation\x1b[0m\x1b[2m:\x1b[0m recorded sandbox violation: resource=${resource} backend=linux_sandbox reason=${reason} path=unknown`;
  const refusedText = { type: 'item.completed', item: { id: 'item_1', type: 'agent_message', text: 'The tool call was refused, so I stopped.' } };
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('takes the thread id, todos and usage, and succeeds on turn.completed with the last message', () => {
    const signals = feed(codexAdapter.interpreter(profile), [
      'WARNING: proceeding, even though we could not create PATH aliases: Refusing to create helper binaries under temporary dir "/tmp"',
      started,
      { type: 'turn.started' },
      { type: 'item.updated', item: { id: 'i1', type: 'todo_list', items: [{ text: 'a', completed: true }, { text: 'b', completed: false }] } },
      { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: 'I will create errand-note.txt.' } },
      { type: 'item.started', item: { id: 'item_1', type: 'file_change', changes: [{ path: '/w/errand-note.txt', kind: 'add' }], status: 'in_progress' } },
      { type: 'item.completed', item: { id: 'item_1', type: 'file_change', changes: [{ path: '/w/errand-note.txt', kind: 'add' }], status: 'completed' } },
      { type: 'item.completed', item: { id: 'item_2', type: 'agent_message', text: 'I created errand-note.txt.' } },
      completed,
    ]);
    expect(signals).toEqual([
      { type: 'session', sessionId: THREAD },
      { type: 'progress', progress: { todosDone: 1, todosTotal: 2 } },
      { type: 'progress', progress: { inputTokens: 11591, outputTokens: 47 } },
      { type: 'done', verdict: { status: 'succeeded', reason: null }, resultText: 'I created errand-note.txt.' },
    ]);
  });

  it('fails on turn.failed with the error Codex gives for an HTTP 500', () => {
    const busy = 'We’re currently experiencing high demand, which may cause temporary errors.';
    const failed = feed(codexAdapter.interpreter(profile), [
      started,
      { type: 'turn.started' },
      { type: 'error', message: `Reconnecting... 1/1 (${busy})` },
      { type: 'error', message: busy },
      { type: 'turn.failed', error: { message: busy } },
    ]);
    expect(failed.at(-1)).toEqual({ type: 'done', verdict: { status: 'failed', reason: `API error: ${busy}` }, resultText: null });
  });

  it('asks the person on a request_user_input item', () => {
    const asked = feed(codexAdapter.interpreter(profile), [{ type: 'item.completed', item: { type: 'request_user_input', question: 'Which API version?' } }]);
    expect(asked).toEqual([{ type: 'needs_input', question: 'Codex asks: Which API version?' }]);
  });

  it('does not count a tool error that is no refusal (request_user_input outside Plan mode)', () => {
    const signals = feed(codexAdapter.interpreter(withOptions({ permissionMode: 'read-only' })), [
      started,
      '2026-11-22T06:43:39.634318Z ERROR codex_core::tools::router: error=request_user_input is unavailable in Default mode',
      { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: 'Which colour should the button be: red or blue?' } },
      completed,
    ]);
    expect(signals.at(-1)).toMatchObject({ type: 'done', verdict: { status: 'succeeded' } });
  });

  it('reports a command the sandbox refused, named from its failed command_execution item', () => {
    const signals = feed(codexAdapter.interpreter(withOptions({ permissionMode: 'read-only' })), [
      started,
      { type: 'item.started', item: { id: 'item_1', type: 'command_execution', command: `/bin/bash -lc "sh -c 'touch errand-permitted.txt'"`, aggregated_output: '', exit_code: null, status: 'in_progress' } },
      violation('filesystem', 'read_only_file_system'),
      { type: 'item.completed', item: { id: 'item_1', type: 'command_execution', command: `/bin/bash -lc "sh -c 'touch errand-permitted.txt'"`, aggregated_output: "touch: cannot touch 'errand-permitted.txt': Read-only file system\n", exit_code: 1, status: 'failed' } },
      refusedText,
      completed,
    ]);
    expect(signals.at(-1)).toEqual({
      type: 'done',
      verdict: {
        status: 'needs_input',
        reason: "Codex was refused by its read-only sandbox: sh -c 'touch errand-permitted.txt'. errand reply re-runs it with sandbox workspace-write.",
        replyGrant: { sandbox: 'workspace-write', network: false },
      },
      resultText: 'The tool call was refused, so I stopped.',
    });
  });

  it('names a refused command from the rollout when Codex leaves it out of its JSON', () => {
    const home = mkdtempSync(join(tmpdir(), 'codex-home-'));
    dirs.push(home);
    const day = join(home, 'sessions/2026/11/22');
    mkdirSync(day, { recursive: true });
    const line = (type: string, payload: object) => JSON.stringify({ timestamp: '2026-11-22T06:24:38.613Z', type, payload });
    writeFileSync(
      join(day, `rollout-2026-11-22T06-24-38-${THREAD}.jsonl`),
      [
        line('session_meta', { id: THREAD }),
        // An earlier turn's refusal is not this turn's.
        line('event_msg', { type: 'task_started', turn_id: 't0' }),
        line('response_item', { type: 'function_call', name: 'exec_command', arguments: '{"cmd":"rm old"}', call_id: 'c0' }),
        line('response_item', { type: 'function_call_output', call_id: 'c0', output: 'Process exited with code 1\nOutput:\nrm: Read-only file system\n' }),
        line('event_msg', { type: 'task_started', turn_id: 't1' }),
        line('response_item', { type: 'function_call', name: 'exec_command', arguments: '{"cmd":"ls"}', call_id: 'c1' }),
        line('response_item', { type: 'function_call_output', call_id: 'c1', output: 'Process exited with code 0\nOutput:\nREADME.md\n' }),
        line('response_item', { type: 'function_call', name: 'exec_command', arguments: JSON.stringify({ cmd: "sh -c 'touch errand-permitted.txt'" }), call_id: 'c2' }),
        line('response_item', {
          type: 'function_call_output',
          call_id: 'c2',
          output: "Chunk ID: 8f21ff\nWall time: 0.0000 seconds\nProcess exited with code 1\nOriginal token count: 17\nOutput:\ntouch: cannot touch 'errand-permitted.txt': Read-only file system\n",
        }),
        '',
      ].join('\n'),
    );
    const signals = feed(codexAdapter.interpreter(withOptions({ permissionMode: 'read-only' }, { CODEX_HOME: home })), [
      started,
      { type: 'turn.started' },
      { type: 'item.completed', item: { id: 'item_0', type: 'agent_message', text: "I will run `sh -c 'touch errand-permitted.txt'`." } },
      violation('filesystem', 'read_only_file_system'),
      refusedText,
      completed,
    ]);
    expect(signals.at(-1)).toMatchObject({
      verdict: { status: 'needs_input', reason: "Codex was refused by its read-only sandbox: sh -c 'touch errand-permitted.txt'. errand reply re-runs it with sandbox workspace-write." },
    });
  });

  it('reports a patch the read-only sandbox rejected, from the tool router\'s error line', () => {
    const signals = feed(codexAdapter.interpreter(withOptions({ permissionMode: 'read-only' }, { CODEX_HOME: '/nonexistent' })), [
      started,
      '\x1b[2m2026-11-22T06:27:20.233862Z\x1b[0m \x1b[31mERROR\x1b[0m \x1b[2mcodex_core::tools::router\x1b[0m\x1b[2m:\x1b[0m \x1b[3merror\x1b[0m\x1b[2m=\x1b[0mpatch rejected: writing is blocked by read-only sandbox; rejected by user approval settings',
      refusedText,
      completed,
    ]);
    expect(signals.at(-1)).toMatchObject({
      verdict: {
        status: 'needs_input',
        reason: 'Codex was refused by its read-only sandbox: patch rejected: writing is blocked by read-only sandbox; rejected by user approval settings. errand reply re-runs it with sandbox workspace-write.',
        replyGrant: { sandbox: 'workspace-write', network: false },
      },
    });
  });

  it('widens one step: workspace-write gains network access for a network refusal, but never full access by itself', () => {
    const verdictFor = (line: string) =>
      (feed(codexAdapter.interpreter(withOptions({ permissionMode: 'workspace-write' }, { CODEX_HOME: '/nonexistent' })), [started, line, completed]).at(-1) as Extract<Signal, { type: 'done' }>).verdict;
    expect(verdictFor(violation('network', 'network_blocked'))).toEqual({
      status: 'needs_input',
      reason: 'Codex was refused by its workspace-write sandbox: a network access. errand reply re-runs it with sandbox workspace-write and network access.',
      replyGrant: { sandbox: 'workspace-write', network: true },
    });
    const outside = verdictFor(violation('filesystem', 'read_only_file_system'));
    expect(outside.reason).not.toMatch(/errand reply re-runs it/);
    expect(outside.reason).toMatch(/--permission-mode danger-full-access if you mean it/);
    expect(outside.replyGrant).toBeUndefined();
  });

  it('says unknown, not done, when it exits 0 without completing a turn', () => {
    expect(codexAdapter.interpreter(profile).onExit({ exitCode: 0, signal: null }, null).status).toBe('unknown');
  });

  it('reads the prompt from stdin, and turns on the sandbox violation log', () => {
    const start = codexAdapter.launch(withOptions({ model: 'm', permissionMode: 'workspace-write' }), context({ binary: '/b/codex' }));
    expect(start).toMatchObject({ argv: ['/b/codex', 'exec', '--json', '--skip-git-repo-check', '-m', 'm', '-s', 'workspace-write', '-'], stdinFile: '/p' });
    expect(start.env.RUST_LOG).toMatch(/(^|,)codex_sandboxing::violation=warn$/);
    const ownLog = codexAdapter.launch(withOptions({}, { RUST_LOG: 'info' }), context());
    expect(ownLog.env.RUST_LOG).toBe('info,codex_sandboxing::violation=warn');
  });

  it('resumes with its flags after `resume`, the sandbox as config, then the thread id and stdin', () => {
    const resumed = codexAdapter.launch(withOptions({ model: 'm', permissionMode: 'read-only' }), context({ kind: 'reply', sessionId: THREAD, binary: '/b/codex' }));
    expect(resumed.argv).toEqual(['/b/codex', 'exec', 'resume', '--json', '--skip-git-repo-check', '-m', 'm', '-c', 'sandbox_mode="read-only"', THREAD, '-']);
    expect(resumed.stdinFile).toBe('/p');
  });

  it('grants a reply to a refusal the sandbox that refusal offered, for that run only', () => {
    const ro = withOptions({ model: 'm', permissionMode: 'read-only' });
    const refusal = (network: boolean) => context({ kind: 'reply', sessionId: THREAD, previous: { status: 'needs_input', replyGrant: { sandbox: 'workspace-write', network } } });
    const granted = codexAdapter.launch(ro, refusal(false));
    expect(granted.argv).toEqual(expect.arrayContaining(['-c', 'sandbox_mode="workspace-write"']));
    expect(granted.argv).not.toContain('sandbox_workspace_write.network_access=true');
    const network = codexAdapter.launch(ro, refusal(true));
    expect(network.argv).toEqual(expect.arrayContaining(['-c', 'sandbox_mode="workspace-write"', '-c', 'sandbox_workspace_write.network_access=true']));
    // A reply after a success, or after a refusal that offered nothing, runs as the profile says.
    const after = codexAdapter.launch(ro, context({ kind: 'reply', sessionId: THREAD, previous: { status: 'succeeded', replyGrant: null } }));
    expect(after.argv).toEqual(expect.arrayContaining(['-c', 'sandbox_mode="read-only"']));
    const nothing = codexAdapter.launch(ro, context({ kind: 'reply', sessionId: THREAD, previous: { status: 'needs_input', replyGrant: null } }));
    expect(nothing.argv).toEqual(expect.arrayContaining(['-c', 'sandbox_mode="read-only"']));
  });
});

describe('Qwen Code and Gemini CLI', () => {
  const result = (text: string) => ({ type: 'result', subtype: 'success', is_error: false, result: text, session_id: 's1', usage: { input_tokens: 10, output_tokens: 5 } });

  it('catches Qwen\'s API error that claims success', () => {
    const signals = feed(qwenAdapter.interpreter(profile), [{ type: 'system', subtype: 'init', session_id: 's1' }, result('[API Error: Connection error.]')]);
    expect(signals.at(-1)).toEqual({ type: 'done', verdict: { status: 'failed', reason: 'API error: [API Error: Connection error.]' }, resultText: '[API Error: Connection error.]' });
  });

  it('reports refused tools as needing the person', () => {
    const denied = { ...result('I could not run it.'), permission_denials: [{ tool_name: 'run_shell_command', tool_input: { command: 'npm publish' } }] };
    const signals = feed(qwenAdapter.interpreter(profile), [denied]);
    expect(signals.at(-1)).toMatchObject({ type: 'done', verdict: { status: 'needs_input', reason: expect.stringContaining('run_shell_command: npm publish') } });
  });

  it('knows Gemini\'s exit codes', () => {
    expect(geminiAdapter.interpreter(profile).onExit({ exitCode: 53, signal: null }, null)).toEqual({ status: 'failed', reason: 'turn limit reached (exit code 53)' });
  });
});
