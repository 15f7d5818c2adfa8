// Finding agent CLIs the way a GUI app must: beyond the engine's PATH, with a time limit on every probe.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../../support/sandbox.js';

function script(path: string, body: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

describe('errand agents', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb.cleanup());

  it('finds CLIs off the PATH, says which are broken and why, and makes built-in profiles for the usable ones', async () => {
    const localBin = join(sb.home, '.local/bin');
    script(join(localBin, 'claude'), 'echo "2.1.197 (Claude Code)"');
    script(join(localBin, 'codex'), 'exec sleep 30');
    script(join(localBin, 'gemini'), 'echo "Error: Cannot find module \'yargs\'" >&2; exit 1');
    const env = { PATH: '/usr/bin:/bin', ERRAND_PROBE_TIMEOUT_MS: '1500', SHELL: '/bin/sh' };
    expect((await sb.errand(['daemon', 'start'], { env })).code).toBe(0);

    const started = Date.now();
    const result = await sb.json(['agents']);
    expect(Date.now() - started).toBeLessThan(10_000);
    const byName = Object.fromEntries(result.agents.map((a: { adapter: string }) => [a.adapter, a]));
    expect(byName.claude).toMatchObject({ found: true, usable: true, version: '2.1.197', binary: join(localBin, 'claude') });
    expect(byName.codex).toMatchObject({ found: true, usable: false });
    expect(byName.codex.problem).toMatch(/did not answer --version within 1\.5 s/);
    expect(byName.gemini).toMatchObject({ found: true, usable: false });
    expect(byName.gemini.problem).toMatch(/Cannot find module/);
    expect(byName.opencode).toMatchObject({ found: false, usable: false });
    expect(byName.opencode.problem).toMatch(/npm install -g opencode-ai/);
    expect(byName.aider.problem).toMatch(/not on npm/);

    const builtin = result.profiles.filter((p: { builtin: boolean }) => p.builtin);
    expect(builtin.map((p: { name: string }) => p.name)).toEqual(['claude']);
    expect(builtin[0]).toMatchObject({ adapter: 'claude', options: { permissionMode: 'acceptEdits' } });

    const human = await sb.errand(['agents']);
    expect(human.stdout).toMatch(/claude\s+usable\s+2\.1\.197/);
    expect(human.stdout).toMatch(/codex\s+broken/);
    expect(human.stdout).toContain('built-in profiles: claude');
  });

  it("finds a CLI on the PATH the person's login shell sets, which the engine itself never had", async () => {
    const shellBin = join(sb.home, 'tools/bin');
    script(join(shellBin, 'qwen'), 'echo 0.15.10');
    // The person's ~/.profile adds a directory to PATH; only a login shell reads it.
    writeFileSync(join(sb.home, '.profile'), `PATH="${shellBin}:$PATH"; export PATH\n`);
    const env = { PATH: '/usr/bin:/bin', SHELL: '/bin/sh' };
    expect((await sb.errand(['daemon', 'start'], { env })).code).toBe(0);
    const { agents } = await sb.json(['agents']);
    expect(agents.find((a: { adapter: string }) => a.adapter === 'qwen')).toMatchObject({ found: true, usable: true, version: '0.15.10', binary: join(shellBin, 'qwen') });
  });

  it('never replaces a profile the person made with the same name', async () => {
    script(join(sb.home, '.local/bin/claude'), 'echo "2.1.197 (Claude Code)"');
    expect((await sb.json(['agents'])).profiles.find((p: { name: string }) => p.name === 'claude').builtin).toBe(true);
    expect((await sb.errand(['profile', 'add', 'claude', '--replace', '--', 'echo', 'mine', '--json'])).code).toBe(0);
    const result = await sb.json(['agents']);
    const mine = result.profiles.find((p: { name: string }) => p.name === 'claude');
    expect(mine).toMatchObject({ adapter: 'command', command: ['echo', 'mine', '--json'], builtin: false });
  });
});
