// The OpenCode adapter through the real engine and the real `opencode run` (1.18.33), against the scripted model server.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDIT_DONE_TEXT, NOTE_CONTENT, NOTE_FILE, PERMIT_COMMAND, PERMIT_DONE_TEXT, PERMIT_FILE, PLAIN_TEXT } from '../../fixtures/model-server.mjs';
import { agentWorld, cliBinary } from '../../support/agent-cli.js';
import type { AgentWorld } from '../../support/agent-cli.js';
import { reply, runTask, statuses } from './headless-runs.js';

const SESSION_ID = /^ses_[A-Za-z0-9]+$/;

describe('OpenCode conformance', () => {
  let world: AgentWorld;

  beforeAll(async () => {
    // Every profile's config asks before bash (agentWorld), so `run` auto-rejects it.
    world = await agentWorld('opencode');
    await world.profile('plain', 'errand-plain');
    await world.profile('edit', 'errand-edit');
    await world.profile('permission', 'errand-permission');
    await world.profile('http500', 'errand-http500');
  });
  afterAll(async () => {
    await world?.close();
  });

  it('answers a plain prompt: succeeded, with the final text, session id and tokens', async () => {
    const { verdict, run } = await runTask(world, 'What is the answer? (plain)', 'plain');
    expect(verdict.status).toBe('succeeded');
    expect(run).toMatchObject({ status: 'succeeded', resultText: PLAIN_TEXT, exitCode: 0 });
    expect(run.sessionId).toMatch(SESSION_ID);
    expect(run.progress.outputTokens).toBeGreaterThan(0);
    expect(run.command).toEqual([cliBinary('opencode'), 'run', '--format', 'json', '-m', 'errand/errand-plain', 'What is the answer? (plain)']);
    // Besides the work, every run asks for a title (a side request).
    const requests = world.server.requests.filter((r) => r.model === 'errand-plain' && r.prompt?.includes('(plain)'));
    expect(requests.some((r) => r.side)).toBe(true);
    expect(requests.some((r) => !r.side && r.answer?.text === PLAIN_TEXT)).toBe(true);
  });

  it('edits a file in the task worktree through its write tool', async () => {
    const { verdict, run } = await runTask(world, 'Write the note.', 'edit');
    expect(verdict.status).toBe('succeeded');
    expect(readFileSync(join(run.worktree!, NOTE_FILE), 'utf8')).toBe(NOTE_CONTENT);
    expect(run.resultText).toBe(EDIT_DONE_TEXT);
    expect(world.server.requests.some((r) => r.model === 'errand-edit' && r.answer?.toolName === 'write')).toBe(true);
  });

  it('reports an auto-rejected bash command, and a reply re-runs it with that command allowed', async () => {
    const { taskId, verdict, run: first } = await runTask(world, 'Create the permitted file.', 'permission');
    expect(verdict.status).toBe('needs_input');
    expect(verdict.reason).toBe(`OpenCode was refused: bash ${JSON.stringify(PERMIT_COMMAND)}. errand reply re-runs it with that allowed.`);
    expect(verdict.question).toBe(verdict.reason);
    expect(statuses(world, first.id)).not.toContain('succeeded');
    expect(first.exitCode).toBe(0);
    expect(existsSync(join(first.worktree!, PERMIT_FILE))).toBe(false);

    const { replied, verdict: after, run: second } = await reply(world, taskId, 'go ahead');
    expect(replied).toMatchObject({ kind: 'reply', attempt: 2, sessionId: first.sessionId });
    expect(after.status).toBe('succeeded');
    expect(second.command).toEqual([cliBinary('opencode'), 'run', '--format', 'json', '-m', 'errand/errand-permission', '-s', first.sessionId, 'go ahead']);
    expect(second.sessionId).toBe(first.sessionId);
    expect(existsSync(join(second.worktree!, PERMIT_FILE))).toBe(true);
    expect(second.resultText).toBe(PERMIT_DONE_TEXT);
  });

  it('fails on HTTP 500 with the API error, within 30 s', async () => {
    const started = Date.now();
    const { verdict, run } = await runTask(world, 'Anything.', 'http500', 30_000);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(verdict.status).toBe('failed');
    expect(verdict.reason).toBe('API error: HTTP 500: errand-http500: scripted failure');
    expect(run.exitCode).toBe(1);
  });

  it('continues the same session on a follow-up reply after success', async () => {
    const { taskId, verdict, run: first } = await runTask(world, 'Remember the number 7. (follow-up)', 'plain');
    expect(verdict.status).toBe('succeeded');
    const { verdict: after, run: second } = await reply(world, taskId, 'Which number did I ask you to remember?');
    expect(after.status).toBe('succeeded');
    expect(second).toMatchObject({ kind: 'reply', sessionId: first.sessionId, resultText: PLAIN_TEXT });
    expect(second.command).toEqual(expect.arrayContaining(['-s', first.sessionId!]));
    const followUp = world.server.requests.find((r) => r.model === 'errand-plain' && !r.side && r.prompt?.includes('Which number'));
    const history = followUp?.history ?? [];
    const said = (text: string) => history.findIndex((h) => h.includes(text));
    expect(said('Remember the number 7.')).toBeGreaterThanOrEqual(0);
    expect(said('Which number did I ask')).toBeGreaterThan(said('Remember the number 7.'));
  });
});
