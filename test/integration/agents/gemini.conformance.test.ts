// Conformance: the real Gemini CLI (0.61.0), run by the real engine, against the scripted model server on 127.0.0.1
// (the Gemini API, through GOOGLE_GEMINI_BASE_URL). One engine and one server for the file; each case files its own
// task. Gemini's stream-json has its own shapes (init / message / tool_use / tool_result / result), read by
// gemini-stream.ts.
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMIT_FILE, REFUSED_TEXT } from '../../fixtures/model-server.mjs';
import { agentWorld, cliBinary } from '../../support/agent-cli.js';
import type { AgentWorld } from '../../support/agent-cli.js';
import { conformance } from './conformance.js';
import type { Conformance } from './conformance.js';

describe('Gemini CLI conformance (real CLI, scripted model server)', () => {
  let world: AgentWorld;
  let c: Conformance;

  beforeAll(async () => {
    world = await agentWorld('gemini');
    c = conformance(world);
    // `auto-edit` is Qwen's spelling; the adapter passes Gemini's own, `auto_edit`.
    for (const scenario of ['plain', 'edit', 'http500']) {
      await world.profile(`gemini-${scenario}`, `errand-${scenario}`, { permissionMode: 'auto-edit' });
    }
    // Default mode, with the shell allowed for `ls` only: Gemini offers the shell tool, and its policy refuses the rest.
    await world.profile('gemini-permission-ls-only', 'errand-permission', { permissionMode: 'default', args: ['--allowed-tools', 'run_shell_command(ls)'] });
    // No mode and no arguments: the options of Gemini's built-in profile.
    await world.profile('gemini-permission-builtin', 'errand-permission');
  });
  afterAll(async () => {
    // Let the engine's probes (`<cli> --version`, which write under HOME) finish before HOME is removed.
    await world?.sb.json(['agents']);
    await world?.close();
  });

  it('is detected as usable, with its version', async () => {
    // Where an installer would put it, so detection finds it whatever PATH the tests run with.
    mkdirSync(join(world.sb.home, '.local/bin'), { recursive: true });
    symlinkSync(cliBinary('gemini'), join(world.sb.home, '.local/bin/gemini'));
    const { agents } = await world.sb.json(['agents']);
    const gemini = agents.find((a: { adapter: string }) => a.adapter === 'gemini');
    expect(gemini).toMatchObject({ found: true, usable: true, version: '0.61.0', problem: null });
    expect(gemini.binary).toMatch(/\/gemini$/);
    expect((await world.sb.errand(['agents'])).stdout).toMatch(/gemini\s+usable\s+0\.61\.0/);
  });

  it('answers a plain prompt: succeeded, with the final text, session id, and token use', async () => {
    const run = await c.answered('What is the answer?', 'gemini-plain');
    expect(run.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.command).toEqual(expect.arrayContaining(['-m', 'errand-plain', '--output-format', 'stream-json', '--approval-mode', 'auto_edit']));
    const main = world.server.requests.find((r) => r.model === 'errand-plain' && !r.side);
    expect(main).toMatchObject({ api: 'gemini', status: 200 });
  });


  it('edits a file in the task\'s worktree and succeeds (auto_edit)', async () => {
    // The final answer is the text after the last tool call, not the text before it.
    await c.edited('gemini-edit');
  });


  it('reports a shell command its policy refused as needing the person', async () => {
    // Headless Gemini never waits for approval: a call its mode and --allowed-tools don't cover is refused at once
    // (a tool_result with error type policy_violation), and the run still ends with status success, exit 0.
    const id = await c.add('Touch the file.', 'gemini-permission-ls-only');
    const ended = await c.status(id, ['needs_input', 'succeeded', 'failed']);
    expect(ended.status).toBe('needs_input');
    expect(ended.reason).toContain("Gemini CLI was refused: run_shell_command: sh -c 'touch errand-permitted.txt'");
    const { runs } = await c.show(id);
    expect(runs[0]).toMatchObject({ status: 'needs_input', resultText: REFUSED_TEXT });
    expect(existsSync(join(runs[0]!.worktree!, PERMIT_FILE))).toBe(false);
  });

  it('runs a shell command through the built-in profile\'s options: auto_edit with the shell allowed', async () => {
    // auto_edit alone leaves run_shell_command out of what Gemini offers the model: a task needing a command could
    // only end having done nothing.
    const run = await c.ranShell('gemini-permission-builtin', ['--approval-mode', 'auto_edit', '--allowed-tools', 'run_shell_command']);
    const turn = world.server.requests.find((r) => r.model === 'errand-permission' && !r.side && r.cwd === run.worktree);
    expect(turn?.tools).toContain('run_shell_command');
  });

  it('fails on an HTTP 500 with the API error as the reason, within 30 s', async () => {
    const started = Date.now();
    const id = await c.add('Anything.', 'gemini-http500');
    const failed = await c.status(id, 'failed', { timeoutMs: 30_000 });
    const elapsed = Date.now() - started;
    console.log(`gemini: errand-http500 reached failed in ${elapsed} ms: ${failed.reason}`);
    expect(elapsed).toBeLessThan(30_000);
    expect(failed.reason).toMatch(/^API error: \[API Error: .*"code":500.*errand-http500: scripted failure/);
  });

  it('continues the same agent session on `errand reply` after success', async () => {
    const { first, second } = await c.followUp('gemini-plain');
    expect(second.command).toEqual(expect.arrayContaining(['--resume', first.sessionId]));
  });

});
