// Conformance: the real Claude Code CLI (2.1.197), run by the real engine, against the scripted model server on
// 127.0.0.1. One engine and one server for the file; each case files its own task.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWERED_TEXT, PERMIT_COMMAND, PERMIT_DONE_TEXT, PERMIT_FILE, QUESTION_TEXT, REFUSED_TEXT } from '../../fixtures/model-server.mjs';
import { agentWorld } from '../../support/agent-cli.js';
import type { AgentWorld } from '../../support/agent-cli.js';
import { conformance, NO_CHANGES } from './conformance.js';
import type { Conformance, RunStatusEvent } from './conformance.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Claude Code conformance (real CLI, scripted model server)', () => {
  let world: AgentWorld;
  let c: Conformance;

  beforeAll(async () => {
    world = await agentWorld('claude');
    c = conformance(world);
    for (const scenario of ['plain', 'edit', 'permission', 'question', 'http500']) {
      await world.profile(`claude-${scenario}`, `errand-${scenario}`, { permissionMode: 'acceptEdits' });
    }
  });
  afterAll(async () => {
    // Let the engine's start-up probes (`<cli> --version`, which write under HOME) finish before HOME is removed.
    await world?.sb.json(['agents']);
    await world?.close();
  });

  it('answers a plain prompt: succeeded, with the final text, session id, and token use', async () => {
    const run = await c.answered('What is the answer?', 'claude-plain');
    expect(run.sessionId).toMatch(UUID);
    expect(run.command).toEqual(expect.arrayContaining(['--session-id', run.sessionId, '--model', 'errand-plain']));
    // The CLI spoke only to the scripted server, with the session id the engine chose.
    const main = world.server.requests.filter((r) => r.model === 'errand-plain' && !r.side);
    expect(main.length).toBeGreaterThan(0);
    expect(main[0]!.headers['x-claude-code-session-id']).toBe(run.sessionId);
    expect(main[0]!.cwd).toBe(run.worktree);
  });


  it('edits a file in the task\'s worktree and succeeds', async () => {
    const { taskId } = await c.edited('claude-edit');
    // acceptEdits: the Write tool ran without asking.
    expect(c.statuses(taskId)).not.toContain('needs_input');
  });


  it('asks before running a shell command, and continues once allowed', async () => {
    const id = await c.add('Touch the file.', 'claude-permission');
    const asked = await c.status(id, 'needs_input');
    expect(asked.question).toBe("Claude wants to run: sh -c 'touch errand-permitted.txt'");
    const waiting = await c.show(id);
    expect(waiting.runs[0]!.request).toMatchObject({ tool: 'Bash', input: { command: "sh -c 'touch errand-permitted.txt'" } });
    const worktree = waiting.runs[0]!.worktree!;
    expect(existsSync(join(worktree, PERMIT_FILE))).toBe(false);

    await world.sb.json(['allow', String(id)]);
    await c.status(id, 'succeeded');
    expect(existsSync(join(worktree, PERMIT_FILE))).toBe(true);
    const { runs } = await c.show(id);
    expect(runs[0]).toMatchObject({ status: 'succeeded', resultText: PERMIT_DONE_TEXT, request: null, question: null });
    expect(c.statuses(id)).toEqual(['starting', 'running', 'needs_input', 'running', 'succeeded']);
  });

  it('goes on without the command when denied, and the verdict says what the person denied', async () => {
    // Claude lists a tool the person denied in its result's permission_denials, like one its rules refused: the
    // person's own decision is told with the verdict, not turned into a refusal that needs them again.
    const id = await c.add('Touch the file, or not.', 'claude-permission');
    await c.status(id, 'needs_input');
    const deniedAt = Date.now();
    await world.sb.json(['deny', String(id), '--message', 'Not in this repo.']);
    const verdict = await world.watch.waitFor<RunStatusEvent>(
      (e) => e.type === 'run.status' && e.taskId === id && e.at >= deniedAt && ['succeeded', 'needs_input', 'failed', 'unknown'].includes(e.status),
      'the verdict after the denial',
    );
    const reason = `you denied: ${PERMIT_COMMAND} · ${NO_CHANGES}`;
    expect(verdict).toMatchObject({ status: 'succeeded', reason });
    const attention = await world.watch.waitFor((e) => e.type === 'attention' && e.taskId === id && e.kind === 'finished', 'the attention');
    expect(attention).toMatchObject({ message: reason });
    const run = (await c.settled(id)).runs[0]!;
    expect(run).toMatchObject({ status: 'succeeded', reason, resultText: REFUSED_TEXT, question: null });
    expect(existsSync(join(run.worktree!, PERMIT_FILE))).toBe(false);
    const after = world.server.requests.find((r) => r.model === 'errand-permission' && r.prompt?.includes('or not') && r.hadToolResult);
    expect(after?.toolResults?.[0]).toMatchObject({ isError: true, content: expect.stringContaining('Not in this repo.') });
  });

  it('takes `errand reply` as the answer to an AskUserQuestion', async () => {
    const id = await c.add('Pick a colour.', 'claude-question');
    const asked = await c.status(id, 'needs_input');
    expect(asked.question).toBe(`Claude asks: ${QUESTION_TEXT} (Red / Blue)`);
    await world.sb.json(['reply', String(id), 'blue']);
    await c.status(id, 'succeeded');
    const { runs } = await c.show(id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ resultText: ANSWERED_TEXT });
    // The tool result the model saw carries the person's answer, not a refusal.
    const answered = world.server.requests.find((r) => r.model === 'errand-question' && r.hadToolResult);
    expect(answered?.toolResults?.[0]).toMatchObject({ isError: false, content: expect.stringContaining('blue') });
  });

  it('fails on an HTTP 500 with the API error as the reason, within 30 s', async () => {
    const started = Date.now();
    const id = await c.add('Anything.', 'claude-http500');
    const failed = await c.status(id, 'failed', { timeoutMs: 30_000 });
    const elapsed = Date.now() - started;
    console.log(`claude: errand-http500 reached failed in ${elapsed} ms: ${failed.reason}`);
    expect(elapsed).toBeLessThan(30_000);
    // Claude's own retries (its defaults: about 3 minutes) are cut short once the 5xx answers have gone on for 10 s.
    expect(failed.reason).toMatch(/^API error: HTTP 500 \(server_error\); Claude was still retrying after \d+ attempts$/);
    const { runs } = await c.show(id);
    expect(runs[0]).toMatchObject({ status: 'failed', reason: failed.reason });
  });

  it('continues the same agent session on `errand reply` after success', async () => {
    const { first, second, request } = await c.followUp('claude-plain');
    expect(second.command).toEqual(expect.arrayContaining(['--resume', first.sessionId]));
    // Nothing but the person's messages, in one session.
    expect(request.history).toEqual(['First question: what is the answer?', 'Second question: say it again.']);
    expect(request.headers['x-claude-code-session-id']).toBe(first.sessionId);
  });

});
