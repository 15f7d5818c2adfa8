import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, Sandbox } from '../../support/sandbox.js';

const exec = promisify(execFile);

describe('the errand command', () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = new Sandbox();
  });
  afterAll(() => sb.cleanup());

  it('runs through npx in the checkout', async () => {
    const { stdout } = await exec('npx', ['--no-install', 'errand', 'daemon', 'status', '--json'], { cwd: ROOT, env: sb.env });
    expect(JSON.parse(stdout)).toMatchObject({ up: false, dataDir: sb.dataDir });
  });

  it('runs through npm link (a global install of the checkout)', async () => {
    const prefix = join(sb.root, 'global');
    await exec('npm', ['link', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: ROOT, env: { ...sb.env, npm_config_prefix: prefix } });
    const { stdout } = await exec(join(prefix, 'bin', 'errand'), ['daemon', 'status', '--json'], { env: sb.env });
    expect(JSON.parse(stdout)).toMatchObject({ up: false });
  });

  it('exits 2 on a usage mistake and 1 on a failure, with one clear line on stderr', async () => {
    const unknown = await sb.errand(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const badFlag = await sb.errand(['ls', '--colour']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/usage: errand ls/);
    const missing = await sb.errand(['add', 'x', '--repo', sb.root]);
    expect(missing.code).toBe(2);
    const failure = await sb.errand(['show', '99']);
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim().split('\n')).toEqual(['errand show: There is no task 99. `errand ls` lists them.']);
    const asJson = await sb.errand(['show', '99', '--json']);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout)).toEqual({ error: { code: 'not_found', message: 'There is no task 99. `errand ls` lists them.' } });
  });

  it('starts the engine on first use and stops it on request', async () => {
    const first = await sb.json(['ls']);
    expect(first).toEqual({ tasks: [], total: 0, collisions: [] });
    const status = await sb.json(['daemon', 'status']);
    expect(status).toMatchObject({ up: true, dataDir: sb.dataDir, running: 0 });
    // The socket and the data directory are the owner's alone.
    expect(statSync(join(sb.dataDir, 'engine.sock')).mode & 0o777).toBe(0o600);
    expect(statSync(sb.dataDir).mode & 0o777).toBe(0o700);
    expect(await sb.json(['daemon', 'stop'])).toEqual({ stopped: true });
    expect(await sb.json(['daemon', 'status'])).toMatchObject({ up: false });
  });
});
