// The OpenCode adapter on its driver's JSON lines (as the driver printed them for OpenCode 1.18.33 against the scripted
// model server), the answers it writes back, and the driver command it launches.
import { describe, expect, it } from 'vitest';
import type { LaunchContext, Verdict } from '../../../../electron/engine/agents/adapter.js';
import { DRIVER_PATH, opencodeAdapter } from '../../../../electron/engine/agents/opencode-adapter.js';
import { OpenCodeInterpreter } from '../../../../electron/engine/agents/opencode-interpreter.js';
import type { PermissionRequest, ProfileInfo } from '../../../../shared/domain.js';
import { feed } from './feed-lines.js';

const SES = 'ses_dfe11593effeldsDoupIOY5lgJ';
const PERMIT = "sh -c 'touch errand-permitted.txt'";
const event = (type: string, part: object, extra: object = {}) => ({ type, timestamp: 1795328750348, sessionID: SES, part: { sessionID: SES, messageID: 'msg_1', ...part }, ...extra });
const stepStart = event('step_start', { id: 'prt_1', type: 'step-start' });
const text = (t: string) => event('text', { id: 'prt_2', type: 'text', text: t, time: { start: 1, end: 2 } });
const stepFinish = (reason: string) =>
  event('step_finish', { id: 'prt_3', reason, type: 'step-finish', tokens: { total: 7702, input: 7678, output: 24, reasoning: 0, cache: { write: 0, read: 0 } }, cost: 0 });
const bash = (state: object) => event('tool_use', { type: 'tool', tool: 'bash', callID: 'call_1', id: 'prt_4', state });
const permissionAsked = {
  type: 'permission_asked',
  timestamp: 1795333564192,
  sessionID: SES,
  request: {
    id: 'per_20238271e001PK5KbCffFtUIu1',
    sessionID: SES,
    permission: 'bash',
    patterns: [PERMIT],
    metadata: { command: PERMIT },
    always: ['sh *'],
    tool: { messageID: 'msg_1', callID: 'call_1' },
  },
};
const answered = (reply: string) => ({ type: 'answered', timestamp: 1795333564300, sessionID: SES, requestID: permissionAsked.request.id, reply });
const REJECTED = 'The user rejected permission to use this specific tool call';
const questionAsked = {
  type: 'question_asked',
  sessionID: SES,
  request: { id: 'que_1', sessionID: SES, questions: [{ question: 'Which colour?', header: 'Colour', options: [{ label: 'red', description: '' }, { label: 'blue', description: '' }] }] },
};

const profile = { id: 1, name: 'p', adapter: 'opencode', command: [], env: {}, needsInput: null, options: {}, builtin: true, createdAt: 0 } as ProfileInfo;
const context = (over: Partial<LaunchContext> = {}): LaunchContext => ({
  kind: 'start',
  prompt: 'x',
  promptFile: '/run/prompt.txt',
  worktree: '/w',
  sessionId: null,
  binary: '/b/opencode',
  ...over,
});

describe('OpenCode interpreter', () => {
  it('succeeds after a stop step with its last text, taking the session once, and the tokens', () => {
    const ok = new OpenCodeInterpreter();
    const signals = feed(ok, [stepStart, text('The answer is 42.'), stepFinish('stop')]);
    expect(signals.filter((s) => s.type === 'session')).toEqual([{ type: 'session', sessionId: SES }]);
    expect(signals.at(-1)).toEqual({ type: 'progress', progress: { inputTokens: 7678, outputTokens: 24, costUsd: 0 } });
    expect(ok.onExit({ exitCode: 0, signal: null })).toEqual({ status: 'succeeded', reason: null, resultText: 'The answer is 42.' });
  });

  it('makes a permission request needs_input, naming the tool and command, and running again once answered', () => {
    const interpreter = new OpenCodeInterpreter();
    const asked = feed(interpreter, [stepStart, text(`I will run \`${PERMIT}\`.`), permissionAsked]);
    expect(asked.at(-1)).toEqual({
      type: 'needs_input',
      question: `OpenCode wants to run: ${PERMIT}`,
      request: {
        id: permissionAsked.request.id,
        tool: 'bash',
        input: { patterns: [PERMIT], metadata: { command: PERMIT } },
        summary: `bash: ${PERMIT}`,
        // What OpenCode's `always` would allow, for errand allow --always to weigh.
        always: ['sh *'],
      },
    });
    const answered = feed(interpreter, [{ type: 'answered', sessionID: SES, requestID: permissionAsked.request.id, reply: 'once' }]);
    expect(answered).toEqual([{ type: 'running' }]);
    feed(interpreter, [bash({ status: 'completed', input: { command: PERMIT }, output: '' }), text('I ran it.'), stepFinish('stop')]);
    expect(interpreter.onExit({ exitCode: 0, signal: null })).toMatchObject({ status: 'succeeded', resultText: 'I ran it.' });
  });

  it('asks the person an OpenCode question with its options', () => {
    const signals = feed(new OpenCodeInterpreter(), [questionAsked]);
    expect(signals.at(-1)).toMatchObject({ type: 'needs_input', question: 'Which colour? (red / blue)', request: { id: 'que_1', tool: 'question' } });
  });

  it('does not count a tool the person refused, or that failed, as the run failing', () => {
    const interpreter = new OpenCodeInterpreter();
    feed(interpreter, [
      permissionAsked,
      answered('reject'),
      bash({ status: 'error', input: { command: PERMIT }, error: `${REJECTED} with the following feedback: Not in this repo.` }),
      bash({ status: 'error', input: { command: 'false' }, error: 'exit code 1' }),
      text('It was refused.'),
      stepFinish('stop'),
    ]);
    // What the person denied is theirs to know, told with the verdict (RunJudge), not a refusal to act on.
    expect(interpreter.onExit({ exitCode: 0, signal: null })).toEqual({ status: 'succeeded', reason: null, resultText: 'It was refused.' });
  });

  it('ends needs_input, with what was denied, when OpenCode stopped at its only tool call, rejected', () => {
    // As the driver printed it: a rejection without a message ends OpenCode's turn after that step.
    const interpreter = new OpenCodeInterpreter();
    feed(interpreter, [
      stepStart,
      text(`I will run \`${PERMIT}\`.`),
      permissionAsked,
      answered('reject'),
      bash({ status: 'error', input: { command: PERMIT }, error: `${REJECTED}.` }),
      stepFinish('tool-calls'),
    ]);
    expect(interpreter.onExit({ exitCode: 0, signal: null })).toEqual({
      status: 'needs_input',
      reason: `you denied: ${PERMIT}; OpenCode stopped there. errand reply tells it what to do instead.`,
      resultText: `I will run \`${PERMIT}\`.`,
    });
  });

  it('ends needs_input when a rule of its config refused a tool without asking, naming it', () => {
    const interpreter = new OpenCodeInterpreter();
    const rule = 'The user has specified a rule which prevents you from using this specific tool call. Here are some of the relevant rules [...]';
    feed(interpreter, [stepStart, bash({ status: 'error', input: { command: PERMIT }, error: rule }), stepFinish('tool-calls'), stepStart, text('The tool call was refused, so I stopped.'), stepFinish('stop')]);
    expect(interpreter.onExit({ exitCode: 0, signal: null })).toMatchObject({
      status: 'needs_input',
      reason: `OpenCode was refused: bash: ${PERMIT}. Allow it in OpenCode's permission config, then errand reply.`,
    });
  });

  it('shows each retry, and fails the run once the failures will have gone on for the window by the next attempt', () => {
    // Retry lines as the driver printed them for OpenCode's own backoff (no retry-after): `next` is when it tries again.
    const recorded = [
      [1796164846868, 1, 1796164849218],
      [1796164849245, 2, 1796164853587],
      [1796164853607, 3, 1796164862473],
    ] as const;
    let now = 0;
    const interpreter = new OpenCodeInterpreter({ retryClock: { windowMs: 10_000, now: () => now } });
    const signals = recorded.map(([timestamp, attempt, next]) => {
      now = timestamp - recorded[0][0];
      const status = { type: 'retry', attempt, message: 'errand-http500: scripted failure', next };
      return feed(interpreter, [{ type: 'retry', timestamp, sessionID: SES, status }]).filter((s) => s.type !== 'session');
    });
    expect(signals[0]).toEqual([{ type: 'progress', progress: { retrying: 1 } }]);
    expect(signals[1]).toEqual([{ type: 'progress', progress: { retrying: 2 } }]);
    // 6.7 s into the failures, the next attempt is 8.9 s away: nothing can succeed before the window is over.
    const done = { type: 'done', verdict: { status: 'failed', reason: 'API error: errand-http500: scripted failure; OpenCode was still retrying after 3 attempts' }, resultText: null };
    expect(signals[2]).toEqual([{ type: 'progress', progress: { retrying: 3 } }, done]);
    expect(interpreter.onExit({ exitCode: 143, signal: null }, done.verdict as Verdict)).toEqual(done.verdict);
  });

  it('starts counting again once a call gets through, and waits out rate limits', () => {
    let now = 0;
    const interpreter = new OpenCodeInterpreter({ retryClock: { windowMs: 10_000, now: () => now } });
    const retry = (ms: number, attempt: number, message: string) => {
      now = ms;
      return feed(interpreter, [{ type: 'retry', sessionID: SES, status: { type: 'retry', attempt, message } }]);
    };
    retry(0, 1, 'server error');
    now = 5_000;
    expect(feed(interpreter, [stepStart])).toEqual([{ type: 'progress', progress: { retrying: 0 } }]);
    expect(retry(9_000, 1, 'server error').some((s) => s.type === 'done')).toBe(false);
    expect(retry(18_000, 2, 'server error').some((s) => s.type === 'done')).toBe(false);
    const limited = new OpenCodeInterpreter({ retryClock: { windowMs: 10_000, now: () => now } });
    for (const [ms, attempt] of [[0, 1], [20_000, 2], [60_000, 3]] as const) {
      now = ms;
      const out = feed(limited, [{ type: 'retry', sessionID: SES, status: { type: 'retry', attempt, message: 'Rate limit exceeded (429)' } }]);
      expect(out.some((s) => s.type === 'done')).toBe(false);
    }
  });

  it('fails on an error event with the HTTP status and message; exits without a finished step are unknown', () => {
    const failing = new OpenCodeInterpreter();
    feed(failing, [
      {
        type: 'error',
        timestamp: 1795328868029,
        sessionID: SES,
        error: { name: 'APIError', data: { message: 'errand-http500: scripted failure', statusCode: 500, isRetryable: true, responseBody: '{"error":{}}' } },
      },
    ]);
    expect(failing.onExit({ exitCode: 1, signal: null })).toMatchObject({ status: 'failed', reason: 'API error: HTTP 500: errand-http500: scripted failure' });
    const bare = new OpenCodeInterpreter();
    feed(bare, [{ type: 'error', sessionID: 's', error: { name: 'UnknownError', data: { message: 'boom' } } }]);
    expect(bare.onExit({ exitCode: 1, signal: null })).toMatchObject({ status: 'failed', reason: 'API error: boom' });
    const cut = new OpenCodeInterpreter();
    feed(cut, [stepStart, text('half')]);
    expect(cut.onExit({ exitCode: 0, signal: null }).status).toBe('unknown');
  });
});

describe('OpenCode answers', () => {
  const answer = (request: PermissionRequest, decision: Parameters<NonNullable<typeof opencodeAdapter.answer>>[1]) =>
    JSON.parse(opencodeAdapter.answer!(request, decision)!);
  const permission: PermissionRequest = { id: 'per_1', tool: 'bash', input: {}, summary: 'bash: make' };
  const question: PermissionRequest = { id: 'que_1', tool: 'question', input: questionAsked.request, summary: 'Which colour?' };

  it('allows once, denies with the person\'s message, and turns words into a refusal that carries them', () => {
    expect(answer(permission, { behavior: 'allow' })).toEqual({ type: 'permission_reply', requestID: 'per_1', reply: 'once' });
    expect(answer(permission, { behavior: 'deny', message: 'not now' })).toEqual({ type: 'permission_reply', requestID: 'per_1', reply: 'reject', message: 'not now' });
    expect(answer(permission, { behavior: 'answer', message: 'use make test' })).toMatchObject({ reply: 'reject', message: 'The person answered instead: use make test' });
  });

  it('answers a question with the person\'s words, allows with the first option, and denies by rejecting it', () => {
    expect(answer(question, { behavior: 'answer', message: 'blue' })).toEqual({ type: 'question_reply', requestID: 'que_1', answers: [['blue']] });
    expect(answer(question, { behavior: 'allow' })).toEqual({ type: 'question_reply', requestID: 'que_1', answers: [['red']] });
    expect(answer(question, { behavior: 'deny', message: '' })).toEqual({ type: 'question_reject', requestID: 'que_1' });
    expect(opencodeAdapter.answer!({ ...question, input: { questions: [{ question: 'Free text?' }] } }, { behavior: 'allow' })).toBeNull();
  });
});

describe('OpenCode launch', () => {
  it('runs the driver with the prompt file, model, session and the profile\'s arguments split between driver and server', () => {
    const spec = opencodeAdapter.launch(
      { ...profile, options: { model: 'errand/m', args: ['--agent', 'build', '--variant=high', '--print-logs'] } },
      context({ kind: 'reply', sessionId: SES }),
    );
    expect(spec.argv).toEqual([
      process.execPath,
      DRIVER_PATH,
      '--opencode',
      '/b/opencode',
      '--prompt-file',
      '/run/prompt.txt',
      '--model',
      'errand/m',
      '--session',
      SES,
      '--agent',
      'build',
      '--variant=high',
      '--',
      '--print-logs',
    ]);
    expect(spec).toMatchObject({ inputPipe: true });
    expect(spec.input).toBeUndefined();
  });
});
