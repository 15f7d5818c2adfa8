// The OpenCode adapter through the real engine, Errand's driver and the real `opencode serve` (1.18.33), against the
// scripted model server. Every profile's config asks before bash (agentWorld), so permission requests reach the person.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVER_PATH } from '../../../electron/engine/agents/opencode-adapter.js';
import {
  ANSWERED_TEXT,
  PERMIT_COMMAND,
  PERMIT_DONE_TEXT,
  PERMIT_FILE,
  PLAIN_TEXT,
  REFUSED_TEXT,
} from '../../fixtures/model-server.mjs';
import { agentWorld, cliBinary } from '../../support/agent-cli.js';
import { EventWatcher } from '../../support/event-watcher.js';
import { isAlive, processesIn, waitUntil } from '../../support/processes.js';
import type { AgentWorld } from '../../support/agent-cli.js';
import { conformance, NO_CHANGES } from './conformance.js';
import type { Conformance, RunStatusEvent } from './conformance.js';

const SESSION_ID = /^ses_[A-Za-z0-9]+$/;

describe('OpenCode conformance', () => {
  let world: AgentWorld;
  let c: Conformance;

  beforeAll(async () => {
    world = await agentWorld('opencode');
    c = conformance(world);
    for (const scenario of ['plain', 'edit', 'permission', 'question', 'http500', 'http500-backoff']) await world.profile(scenario, `errand-${scenario}`);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('answers a plain prompt: succeeded, with the final text, session id and tokens', async () => {
    const run = await c.answered('What is the answer? (plain)', 'plain');
    expect(run).toMatchObject({ exitCode: 0 });
    expect(run.sessionId).toMatch(SESSION_ID);
    expect(run.progress.outputTokens).toBeGreaterThan(0);
    expect(run.command).toEqual([process.execPath, DRIVER_PATH, '--opencode', cliBinary('opencode'), '--prompt-file', expect.any(String), '--model', 'errand/errand-plain']);
    // Besides the work, every run asks for a title (a side request).
    const requests = world.server.requests.filter((r) => r.model === 'errand-plain' && r.prompt?.includes('(plain)'));
    expect(requests.some((r) => r.side)).toBe(true);
    expect(requests.some((r) => !r.side && r.answer?.text === PLAIN_TEXT)).toBe(true);
  });


  it('edits a file in the task worktree through its write tool', async () => {
    await c.edited('edit');
    expect(world.server.requests.some((r) => r.model === 'errand-edit' && r.answer?.toolName === 'write')).toBe(true);
  });


  it('asks before running bash, and continues once allowed', async () => {
    const id = await c.add('Create the permitted file.', 'permission');
    const asked = await c.status(id, 'needs_input');
    expect(asked.question).toBe(`OpenCode wants to run: ${PERMIT_COMMAND}`);
    const waiting = (await c.show(id)).runs[0]!;
    expect(waiting.request).toMatchObject({ tool: 'bash', summary: `bash: ${PERMIT_COMMAND}`, input: { patterns: [PERMIT_COMMAND] } });
    expect(existsSync(join(waiting.worktree!, PERMIT_FILE))).toBe(false);

    await world.sb.json(['allow', String(id)]);
    await c.status(id, 'succeeded');
    const run = (await c.settled(id)).runs[0]!;
    expect(existsSync(join(run.worktree!, PERMIT_FILE))).toBe(true);
    expect(run).toMatchObject({ status: 'succeeded', resultText: PERMIT_DONE_TEXT, request: null, question: null, exitCode: 0 });
    expect(c.statuses(id)).toEqual(['starting', 'running', 'needs_input', 'running', 'succeeded']);
  });

  it('goes on without the command when denied, the model hears the refusal, and the verdict says what was denied', async () => {
    const id = await c.add('Create the permitted file, or not.', 'permission');
    await c.status(id, 'needs_input');
    await world.sb.json(['deny', String(id), '--message', 'Not in this repo.']);
    const verdict = await c.status(id, 'succeeded');
    const reason = `you denied: ${PERMIT_COMMAND} · ${NO_CHANGES}`;
    expect(verdict.reason).toBe(reason);
    const attention = await world.watch.waitFor((e) => e.type === 'attention' && e.taskId === id && e.kind === 'finished', 'the attention');
    expect(attention).toMatchObject({ kind: 'finished', message: reason });
    const run = (await c.settled(id)).runs[0]!;
    expect(run).toMatchObject({ status: 'succeeded', reason, resultText: REFUSED_TEXT });
    expect(existsSync(join(run.worktree!, PERMIT_FILE))).toBe(false);
    expect((await world.sb.errand(['show', String(id)])).stdout).toContain(`succeeded · ${reason}`);
    const after = world.server.requests.find((r) => r.model === 'errand-permission' && r.prompt?.includes('or not') && r.hadToolResult);
    expect(after?.toolResults?.[0]?.content).toContain('Not in this repo.');
  });

  it('leaves no OpenCode process behind when cancelled while it waits for the person', async () => {
    const id = await c.add('Create the permitted file, then wait.', 'permission');
    await c.status(id, 'needs_input');
    const worktree = (await c.show(id)).runs[0]!.worktree!;
    expect(processesIn(worktree).length).toBeGreaterThan(0);
    await world.sb.json(['cancel', String(id)]);
    await c.status(id, 'cancelled');
    await c.settled(id);
    expect(processesIn(worktree)).toEqual([]);
  });

  it('takes `errand reply` as the answer to its question tool', async () => {
    const id = await c.add('Pick a colour.', 'question');
    const asked = await c.status(id, 'needs_input');
    expect(asked.question).toContain('Which colour should the button be');
    await world.sb.json(['reply', String(id), 'blue']);
    await c.status(id, 'succeeded');
    const { runs } = await c.settled(id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ resultText: ANSWERED_TEXT });
    const answered = world.server.requests.find((r) => r.model === 'errand-question' && r.hadToolResult);
    expect(answered?.toolResults?.[0]?.content).toContain('blue');
  });

  it('fails on HTTP 500 with the API error, within 30 s', async () => {
    const started = Date.now();
    const id = await c.add('Anything.', 'http500');
    const failed = await c.status(id, 'failed', { timeoutMs: 30_000 });
    const elapsed = Date.now() - started;
    console.log(`opencode: errand-http500 reached failed in ${elapsed} ms: ${failed.reason}`);
    expect(elapsed).toBeLessThan(30_000);
    expect(failed.reason).toBe('API error: HTTP 500: errand-http500: scripted failure');
    expect((await c.settled(id)).runs[0]!.exitCode).toBe(1);
  });

  it('fails within 30 s on HTTP 500 with its own backoff (no retry-after), showing each retry meanwhile', async () => {
    // OpenCode's backoff alone waits 2, 4, 9, 17 and 35 s between attempts: 77-84 s before it gives up by itself.
    const started = Date.now();
    const id = await c.add('Anything. (backoff)', 'http500-backoff');
    const retrying = await world.watch.waitFor<RunStatusEvent>(
      (e) => e.type === 'run.status' && e.taskId === id && e.status === 'running' && /^retrying the model \(attempt \d+\)$/.test(e.reason ?? ''),
      'a retrying status',
      30_000,
    );
    // The run fails only once the failures have gone on for 10 s: until then it is running, and says why it waits.
    const shown = await world.sb.json(['show', String(id)]);
    expect(shown.runs[0]).toMatchObject({ status: 'running', reason: expect.stringMatching(/^retrying the model \(attempt \d+\)$/) });
    expect(shown.runs[0].progress.retrying).toBeGreaterThan(0);
    expect((await world.sb.errand(['ls'])).stdout).toMatch(new RegExp(`${id}\\s+running: retrying the model \\(attempt \\d+\\)`));
    const failed = await c.status(id, 'failed', { timeoutMs: 30_000 });
    const elapsed = Date.now() - started;
    console.log(`opencode: errand-http500-backoff reached failed in ${elapsed} ms (${retrying.reason} seen after ${retrying.at - started} ms): ${failed.reason}`);
    expect(elapsed).toBeLessThan(30_000);
    expect(failed.reason).toMatch(/^API error: errand-http500: scripted failure; OpenCode was still retrying after \d+ attempts$/);
    const { runs } = await c.settled(id);
    expect(runs[0]).toMatchObject({ status: 'failed', reason: failed.reason, pid: null });
    expect(world.server.requests.filter((r) => r.model === 'errand-http500-backoff' && !r.side).length).toBeGreaterThan(1);
  }, 45_000);

  it('continues the same session on a follow-up reply after success', async () => {
    const id = await c.add('Remember the number 7. (follow-up)', 'plain');
    await c.status(id, 'succeeded');
    const first = (await c.settled(id)).runs[0]!;
    const replied = await world.sb.json(['reply', String(id), 'Which number did I ask you to remember?']);
    expect(replied.run).toMatchObject({ kind: 'reply', attempt: 2, sessionId: first.sessionId });
    await c.status(id, 'succeeded', { runId: replied.run.id });
    const second = (await c.settled(id)).runs[1]!;
    expect(second).toMatchObject({ sessionId: first.sessionId, resultText: PLAIN_TEXT, worktree: first.worktree });
    expect(second.command).toEqual(expect.arrayContaining(['--session', first.sessionId!]));
    const followUp = world.server.requests.find((r) => r.model === 'errand-plain' && !r.side && r.prompt?.includes('Which number'));
    const history = followUp?.history ?? [];
    const said = (text: string) => history.findIndex((h) => h.includes(text));
    expect(said('Remember the number 7.')).toBeGreaterThanOrEqual(0);
    expect(said('Which number did I ask')).toBeGreaterThan(said('Remember the number 7.'));
  });
});

describe('OpenCode after an engine crash', () => {
  let world: AgentWorld;
  afterAll(async () => {
    await world?.close();
  });

  it('leaves no OpenCode process behind, and `errand resume` continues the same session', async () => {
    world = await agentWorld('opencode');
    await world.profile('permission', 'errand-permission');
    const c = conformance(world);
    const id = await c.add('Create the permitted file.', 'permission');
    await c.status(id, 'needs_input');
    const first = (await c.show(id)).runs[0]!;
    const engine = await world.sb.json(['daemon', 'status']);
    world.watch.stop();
    process.kill(engine.pid, 'SIGKILL');
    await waitUntil(() => !isAlive(engine.pid), 'the engine to die');
    // The driver and its server lose their terminal with the engine, and go.
    await waitUntil(() => processesIn(first.worktree!).length === 0, 'no OpenCode process left in the worktree');

    expect((await c.show(id)).runs[0]).toMatchObject({ status: 'interrupted', sessionId: first.sessionId });
    const watch = await EventWatcher.start(world.sb);
    const resumed = await world.sb.json(['resume', String(id)]);
    expect(resumed.run).toMatchObject({ attempt: 2, kind: 'resume', sessionId: first.sessionId });
    const waitRun = (status: string) =>
      watch.waitFor((e) => e.type === 'run.status' && e.runId === resumed.run.id && e.status === status, `the resumed run to be ${status}`, 45_000);
    await waitRun('needs_input');
    await world.sb.json(['allow', String(id)]);
    await waitRun('succeeded');
    const second = (await c.show(id)).runs[1]!;
    expect(second).toMatchObject({ sessionId: first.sessionId, resultText: PERMIT_DONE_TEXT });
    expect(second.command).toEqual(expect.arrayContaining(['--session', first.sessionId!]));
    expect(existsSync(join(second.worktree!, PERMIT_FILE))).toBe(true);
    watch.stop();
  });
});
