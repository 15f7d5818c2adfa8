// The Codex adapter through the real engine and the real `codex exec` (0.169), against the scripted model server.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDIT_DONE_TEXT, NOTE_CONTENT, NOTE_FILE, PERMIT_COMMAND, PERMIT_DONE_TEXT, PERMIT_FILE, PLAIN_TEXT } from '../../fixtures/model-server.mjs';
import { agentWorld, cliBinary } from '../../support/agent-cli.js';
import type { AgentWorld } from '../../support/agent-cli.js';
import { conformance } from './conformance.js';
import type { Conformance } from './conformance.js';

const THREAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Codex conformance', () => {
  let world: AgentWorld;
  let c: Conformance;

  beforeAll(async () => {
    world = await agentWorld('codex');
    c = conformance(world);
    await world.profile('plain', 'errand-plain', { permissionMode: 'workspace-write' });
    await world.profile('edit', 'errand-edit', { permissionMode: 'workspace-write' });
    await world.profile('permission', 'errand-permission', { permissionMode: 'read-only' });
    await world.profile('http500', 'errand-http500', { permissionMode: 'workspace-write' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('answers a plain prompt: succeeded, with the final text, thread id and tokens', async () => {
    const { verdict, run } = await c.run('What is the answer? (plain)', 'plain');
    expect(verdict.status).toBe('succeeded');
    expect(run).toMatchObject({ status: 'succeeded', resultText: PLAIN_TEXT });
    expect(run.sessionId).toMatch(THREAD_ID);
    expect(run.progress.outputTokens).toBeGreaterThan(0);
    // The prompt arrives on stdin ("-"), from the run's prompt file.
    expect(run.command).toEqual([cliBinary('codex'), 'exec', '--json', '--skip-git-repo-check', '-m', 'errand-plain', '-s', 'workspace-write', '-']);
    const request = world.server.requests.find((r) => r.model === 'errand-plain' && r.prompt?.includes('(plain)'));
    expect(request?.status).toBe(200);
  });

  it('edits a file in the task worktree through apply_patch', async () => {
    const { verdict, run } = await c.run('Write the note.', 'edit');
    expect(verdict.status).toBe('succeeded');
    expect(readFileSync(join(run.worktree!, NOTE_FILE), 'utf8')).toBe(NOTE_CONTENT);
    expect(run.resultText).toBe(EDIT_DONE_TEXT);
    const patched = world.server.requests.find((r) => r.model === 'errand-edit' && r.answer?.toolName === 'apply_patch');
    expect(patched).toBeDefined();
  });

  it('reports a command its read-only sandbox refused, and a reply re-runs it with workspace-write', async () => {
    const { taskId, verdict, run: first } = await c.run('Create the permitted file.', 'permission');
    expect(verdict.status).toBe('needs_input');
    expect(verdict.reason).toBe(
      `Codex was refused by its read-only sandbox: ${PERMIT_COMMAND}. errand reply re-runs it with sandbox workspace-write.`,
    );
    expect(verdict.question).toBe(verdict.reason);
    // What the reply will allow is kept with the run, not read back from the words.
    expect(first.replyGrant).toEqual({ sandbox: 'workspace-write', network: false });
    expect(c.statuses(taskId)).not.toContain('succeeded');
    expect(existsSync(join(first.worktree!, PERMIT_FILE))).toBe(false);
    // The model was told by the sandbox, not by Errand.
    const refused = world.server.requests.find((r) => r.model === 'errand-permission' && r.hadToolResult);
    expect(refused?.toolResults?.[0]?.content).toMatch(/Read-only file system/);

    const { replied, verdict: after, run: second } = await c.reply(taskId, 'go ahead');
    expect(replied).toMatchObject({ kind: 'reply', attempt: 2, sessionId: first.sessionId });
    expect(after.status).toBe('succeeded');
    expect(second.command).toEqual([
      cliBinary('codex'), 'exec', 'resume', '--json', '--skip-git-repo-check', '-m', 'errand-permission',
      '-c', 'sandbox_mode="workspace-write"', first.sessionId, '-',
    ]);
    expect(second.sessionId).toBe(first.sessionId);
    expect(existsSync(join(second.worktree!, PERMIT_FILE))).toBe(true);
    expect(second.resultText).toBe(PERMIT_DONE_TEXT);
  });

  it('fails on HTTP 500 with the API error, within 30 s', async () => {
    const started = Date.now();
    const { verdict, run } = await c.run('Anything.', 'http500', 30_000);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(verdict.status).toBe('failed');
    // Codex words every 5xx the same way; the model server's own message is not passed on.
    expect(verdict.reason).toMatch(/^API error: .*(high demand|500|Internal Server Error)/);
    // The verdict comes from turn.failed; the engine then ends the process, so its exit code says nothing more.
    expect(run.status).toBe('failed');
    const tried = world.server.requests.filter((r) => r.model === 'errand-http500');
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.every((r) => r.status === 500)).toBe(true);
  });

  it('continues the same thread on a follow-up reply after success', async () => {
    const { taskId, verdict, run: first } = await c.run('Remember the number 7. (follow-up)', 'plain');
    expect(verdict.status).toBe('succeeded');
    const { verdict: after, run: second } = await c.reply(taskId, 'Which number did I ask you to remember?');
    expect(after.status).toBe('succeeded');
    expect(second).toMatchObject({ kind: 'reply', sessionId: first.sessionId, resultText: PLAIN_TEXT });
    expect(second.command).toEqual(expect.arrayContaining(['resume', first.sessionId!]));
    const followUp = world.server.requests.find((r) => r.model === 'errand-plain' && r.prompt?.includes('Which number'));
    const history = followUp?.history ?? [];
    const said = (text: string) => history.findIndex((h) => h.includes(text));
    expect(said('Remember the number 7.')).toBeGreaterThanOrEqual(0);
    expect(said('Which number did I ask')).toBeGreaterThan(said('Remember the number 7.'));
  });
});
