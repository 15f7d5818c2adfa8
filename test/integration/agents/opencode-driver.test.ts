// Errand's OpenCode driver on its own, with the real `opencode serve` (1.18.33): when it cannot do its job, it says why
// in its JSON, exits non-zero, and leaves no server behind.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DRIVER_PATH } from '../../../electron/engine/agents/opencode-adapter.js';
import { cliBinary } from '../../support/agent-cli.js';
import { processesIn, waitUntil } from '../../support/processes.js';
import { Sandbox } from '../../support/sandbox.js';

interface DriverResult {
  code: number | null;
  lines: Record<string, unknown>[];
}

function drive(sb: Sandbox, cwd: string, args: string[]): Promise<DriverResult> {
  const env = { ...sb.env, npm_config_offline: 'true', OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_MODELS_FETCH: '1' };
  const child = spawn(process.execPath, [DRIVER_PATH, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) => resolve({ code, lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) })),
  );
}

const errorOf = (result: DriverResult) => (result.lines.at(-1) as { type: string; error: { data: { message: string } } }).error.data.message;

describe('OpenCode driver', () => {
  let sb: Sandbox;
  afterEach(async () => {
    await sb?.cleanup();
  });

  it('refuses bad arguments with exit code 2', async () => {
    sb = new Sandbox();
    const result = await drive(sb, sb.root, ['--prompt-file', '/nowhere']);
    expect(result.code).toBe(2);
    expect(errorOf(result)).toBe('opencode driver: --opencode and --prompt-file are required');
  });

  it('says when the OpenCode binary cannot be started', async () => {
    sb = new Sandbox();
    const prompt = join(sb.root, 'prompt.txt');
    writeFileSync(prompt, 'hello');
    const result = await drive(sb, sb.root, ['--opencode', join(sb.root, 'no-such-opencode'), '--prompt-file', prompt]);
    expect(result.code).toBe(1);
    expect(errorOf(result)).toMatch(/^opencode serve exited|^could not start .*no-such-opencode/);
  });

  it('fails on a session OpenCode does not have, and stops its server', async () => {
    sb = new Sandbox();
    const repo = sb.repo();
    const prompt = join(sb.root, 'prompt.txt');
    writeFileSync(prompt, 'hello');
    const result = await drive(sb, repo, ['--opencode', cliBinary('opencode'), '--prompt-file', prompt, '--session', 'ses_doesnotexist0000000000']);
    expect(result.code).toBe(1);
    expect(errorOf(result)).toBe('OpenCode has no session ses_doesnotexist0000000000 in this worktree; start a new task instead.');
    await waitUntil(() => processesIn(repo).length === 0, 'no OpenCode process left in the repo');
  });

  it('asks for a provider in the model name', async () => {
    sb = new Sandbox();
    const prompt = join(sb.root, 'prompt.txt');
    writeFileSync(prompt, 'hello');
    const result = await drive(sb, sb.root, ['--opencode', cliBinary('opencode'), '--prompt-file', prompt, '--model', 'gpt-5']);
    expect(result.code).toBe(2);
    expect(errorOf(result)).toMatch(/"gpt-5" has no provider/);
  });
});
