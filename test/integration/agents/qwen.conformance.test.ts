// Conformance: the real Qwen Code CLI (0.15.10), run by the real engine, against the scripted model server on
// 127.0.0.1 (OpenAI chat completions). One engine and one server for the file; each case files its own task.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_TOOL_TEXT, PERMIT_FILE, REFUSED_TEXT } from '../../fixtures/model-server.mjs';
import { agentWorld } from '../../support/agent-cli.js';
import type { AgentWorld } from '../../support/agent-cli.js';
import { conformance, NO_CHANGES } from './conformance.js';
import type { Conformance } from './conformance.js';

describe('Qwen Code conformance (real CLI, scripted model server)', () => {
  let world: AgentWorld;
  let c: Conformance;

  beforeAll(async () => {
    world = await agentWorld('qwen');
    c = conformance(world);
    // `auto_edit` is how built-in profiles used to spell it; the adapter passes Qwen's own spelling, `auto-edit`.
    for (const scenario of ['plain', 'edit', 'http400', 'http500']) {
      await world.profile(`qwen-${scenario}`, `errand-${scenario}`, { permissionMode: 'auto_edit' });
    }
    await world.profile('qwen-permission-auto-edit', 'errand-permission', { permissionMode: 'auto_edit' });
    // No mode and no arguments: the options of Qwen's built-in profile.
    await world.profile('qwen-permission-builtin', 'errand-permission');
    // Default mode, with the shell allowed for `ls` only: Qwen offers the shell tool, and refuses anything else.
    await world.profile('qwen-permission-ls-only', 'errand-permission', { permissionMode: 'default', args: ['--allowed-tools', 'run_shell_command(ls)'] });
  });
  afterAll(async () => {
    // Let the engine's start-up probes (`<cli> --version`, which write under HOME) finish before HOME is removed.
    await world?.sb.json(['agents']);
    await world?.close();
  });

  it('answers a plain prompt: succeeded, with the final text, session id, and token use', async () => {
    const run = await c.answered('What is the answer?', 'qwen-plain');
    expect(run.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    // OpenAI-compatible endpoint in the profile's env → --auth-type openai; the default mode in Qwen's spelling.
    expect(run.command).toEqual(expect.arrayContaining(['--auth-type', 'openai', '--approval-mode', 'auto-edit', '-m', 'errand-plain']));
    const main = world.server.requests.find((r) => r.model === 'errand-plain' && !r.side);
    expect(main).toMatchObject({ api: 'openai-chat', cwd: run.worktree });
  });


  it('edits a file in the task\'s worktree and succeeds (auto-edit)', async () => {
    await c.edited('qwen-edit');
  });


  it('reports a refused shell command as needing the person, naming the tool and command', async () => {
    // Headless Qwen never waits for approval: a tool call its mode and --allowed-tools don't cover is refused at
    // once and listed in the result's permission_denials. The run must not end as a plain success.
    const id = await c.add('Touch the file.', 'qwen-permission-ls-only');
    const asked = await c.status(id, ['needs_input', 'succeeded', 'failed']);
    expect(asked.status).toBe('needs_input');
    expect(asked.reason).toContain("Qwen Code was refused: run_shell_command: sh -c 'touch errand-permitted.txt'");
    const { runs } = await c.show(id);
    expect(runs[0]).toMatchObject({ status: 'needs_input', resultText: REFUSED_TEXT, question: asked.reason });
    expect(existsSync(join(runs[0]!.worktree!, PERMIT_FILE))).toBe(false);
    // The model saw the refusal as the tool's result (OpenAI chat has no error flag on a tool message: read the text).
    const after = world.server.requests.find((r) => r.model === 'errand-permission' && r.hadToolResult);
    expect(after?.toolResults?.[0]?.content).toContain('Qwen Code requires permission to use "run_shell_command", but that permission was declined');
  });

  it('runs a shell command through the built-in profile\'s options: auto-edit with the shell allowed', async () => {
    const run = await c.ranShell('qwen-permission-builtin', ['--approval-mode', 'auto-edit', '--allowed-tools', 'run_shell_command']);
    expect(run.progress.filesChanged).toBe(1);
  });

  it('in auto-edit, does not offer the shell at all, and never claims the command ran', async () => {
    // Qwen's auto-edit (and default) modes leave run_shell_command out of the tools they offer, so there is nothing
    // to refuse and no permission_denials. The honest outcome: the run succeeds with the model's own account that it
    // had no suitable tool, says it changed nothing, and the file is not there.
    const id = await c.add('Touch the file.', 'qwen-permission-auto-edit');
    const verdict = await c.status(id, ['succeeded', 'needs_input', 'failed']);
    expect(verdict.reason).toBe(NO_CHANGES);
    const { runs } = await c.settled(id);
    expect(runs[0]!.command).toEqual(expect.arrayContaining(['--approval-mode', 'auto-edit']));
    const turns = world.server.requests.filter((r) => r.model === 'errand-permission' && !r.side && r.cwd === runs[0]!.worktree);
    expect(turns.length).toBeGreaterThan(0);
    for (const turn of turns) expect(turn.tools).not.toContain('run_shell_command');
    expect(runs[0]).toMatchObject({ status: 'succeeded', resultText: NO_TOOL_TEXT, reason: NO_CHANGES });
    expect((await world.sb.errand(['ls'])).stdout).toMatch(new RegExp(`${id}\\s+succeeded · ${NO_CHANGES}: 0 files changed`));
    expect(existsSync(join(runs[0]!.worktree!, PERMIT_FILE))).toBe(false);
  });

  it('fails on an HTTP error with the API error as the reason, within 30 s (HTTP 400)', async () => {
    const started = Date.now();
    const id = await c.add('Anything.', 'qwen-http400');
    const failed = await c.status(id, 'failed', { timeoutMs: 30_000 });
    const elapsed = Date.now() - started;
    console.log(`qwen: errand-http400 reached failed in ${elapsed} ms: ${failed.reason}`);
    expect(elapsed).toBeLessThan(30_000);
    expect(failed.reason).toBe('API error: [API Error: 400 errand-http400: scripted failure]');
  });

  it('fails on an HTTP 500 within 30 s: the engine gives up on the endpoint while Qwen is still retrying', async () => {
    // Qwen retries a 5xx 7 times with backoff (80–115 s, not configurable); the engine's model endpoint watchdog
    // ends the run once the 5xx answers have gone on for its window.
    const started = Date.now();
    const id = await c.add('Anything.', 'qwen-http500');
    const failed = await c.status(id, 'failed', { timeoutMs: 30_000 });
    const elapsed = Date.now() - started;
    console.log(`qwen: errand-http500 reached failed in ${elapsed} ms: ${failed.reason}`);
    expect(elapsed).toBeLessThan(30_000);
    expect(failed.reason).toBe('API error: HTTP 500: errand-http500: scripted failure');
    const { runs } = await c.settled(id);
    expect(runs[0]).toMatchObject({ status: 'failed', reason: failed.reason });
    // The watchdog is the engine's business: the recorded command is the one Qwen was given, and the requests went
    // through to the scripted server more than once (Qwen retried) before the run ended.
    expect(runs[0]!.command).toEqual(expect.arrayContaining(['--auth-type', 'openai', '-m', 'errand-http500']));
    const proxied = /127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32}/;
    expect(JSON.stringify(runs[0])).not.toMatch(proxied);
    const log = await world.sb.errand(['logs', String(id)]);
    expect(log.stdout).toContain('the model endpoint kept failing (HTTP 500); the agent was stopped');
    expect(log.stdout).not.toMatch(proxied);
    expect(world.server.requests.filter((r) => r.model === 'errand-http500').length).toBeGreaterThan(1);
  }, 45_000);

  it('continues the same agent session on `errand reply` after success', async () => {
    const { first, second } = await c.followUp('qwen-plain');
    expect(second.command).toEqual(expect.arrayContaining(['--resume', first.sessionId]));
  });

});
