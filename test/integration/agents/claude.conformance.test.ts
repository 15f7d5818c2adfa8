// Conformance: the real Claude Code CLI (2.1.197), run by the real engine, against the scripted model server on
// 127.0.0.1. One engine and one server for the file; each case files its own task.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANSWERED_TEXT,
  EDIT_DONE_TEXT,
  NOTE_CONTENT,
  NOTE_FILE,
  PERMIT_DONE_TEXT,
  PERMIT_FILE,
  PLAIN_TEXT,
  QUESTION_TEXT,
} from '../../fixtures/model-server.mjs';
import { agentWorld } from '../../support/agent-cli.js';
import type { AgentWorld } from '../../support/agent-cli.js';
import { conformance } from './conformance.js';
import type { Conformance } from './conformance.js';

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
    const id = await c.add('What is the answer?', 'claude-plain');
    await c.status(id, 'succeeded');
    const { task, runs } = await c.show(id);
    const run = runs[0]!;
    expect(task.status).toBe('succeeded');
    expect(run).toMatchObject({ status: 'succeeded', resultText: PLAIN_TEXT, reason: null });
    expect(run.sessionId).toMatch(UUID);
    expect(run.command).toEqual(expect.arrayContaining(['--session-id', run.sessionId, '--model', 'errand-plain']));
    expect(run.progress).toMatchObject({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
    // The CLI spoke only to the scripted server, with the session id the engine chose.
    const main = world.server.requests.filter((r) => r.model === 'errand-plain' && !r.side);
    expect(main.length).toBeGreaterThan(0);
    expect(main[0]!.headers['x-claude-code-session-id']).toBe(run.sessionId);
    expect(main[0]!.cwd).toBe(run.worktree);
  });

  it('edits a file in the task\'s worktree and succeeds', async () => {
    const id = await c.add('Write the note.', 'claude-edit');
    await c.status(id, 'succeeded');
    const { runs } = await c.settled(id);
    expect(readFileSync(join(runs[0]!.worktree!, NOTE_FILE), 'utf8')).toBe(NOTE_CONTENT);
    expect(runs[0]).toMatchObject({ resultText: EDIT_DONE_TEXT });
    expect(runs[0]!.progress.filesChanged).toBe(1);
    // acceptEdits: the Write tool ran without asking.
    expect(c.statuses(id)).not.toContain('needs_input');
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
    const id = await c.add('First question: what is the answer?', 'claude-plain');
    await c.status(id, 'succeeded');
    // At once, as a person answering the notification would: the finished agent's process may still be on its way out.
    const replied = await world.sb.json(['reply', String(id), 'Second question: say it again.']);
    const first = (await c.show(id)).runs[0]!;
    expect(first.sessionId).toBeTruthy();
    expect(replied.run).toMatchObject({ attempt: 2, kind: 'reply', sessionId: first.sessionId });
    await c.status(id, 'succeeded', { runId: replied.run.id });
    const { runs } = await c.show(id);
    expect(runs[1]).toMatchObject({ status: 'succeeded', sessionId: first.sessionId, resultText: PLAIN_TEXT, worktree: first.worktree });
    expect(runs[1]!.command).toEqual(expect.arrayContaining(['--resume', first.sessionId]));
    // The model saw the earlier turn: the follow-up request carries both of the person's messages, in one session.
    const followUp = world.server.requests.find((r) => r.model === 'errand-plain' && !r.side && r.prompt === 'Second question: say it again.');
    expect(followUp?.history).toEqual(['First question: what is the answer?', 'Second question: say it again.']);
    expect(followUp?.headers['x-claude-code-session-id']).toBe(first.sessionId);
  });
});
