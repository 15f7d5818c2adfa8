// A profile's secrets are references, looked up at each launch: the engine's environment or the OS keychain. Their
// values reach the agent and nothing else: not the database (nor its WAL), not the engine log, not what clients see.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

const ENV_SECRET = `sk-env-${randomUUID()}`;
const KEYCHAIN_SECRET = `sk-keychain-${randomUUID()}`;

/**
 * Stands in for libsecret's secret-tool, which needs a D-Bus session and a keyring daemon that a test machine lacks:
 * it records its arguments, and knows one entry (service errand-test, account me).
 */
function fakeSecretTool(dir: string, record: string): void {
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'secret-tool');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      `printf '%s\\n' "$@" >> '${record}'`,
      `if [ "$1 $2 $3 $4 $5" = "lookup service errand-test account me" ]; then printf '%s' '${KEYCHAIN_SECRET}'; exit 0; fi`,
      'exit 1',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
}

/** Every file the engine keeps besides run logs (which hold what the agent printed, as they should). */
function storedBytes(dataDir: string): string {
  return ['errand.db', 'errand.db-wal', 'errand.db-shm', 'engine.log']
    .map((name) => join(dataDir, name))
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('\n');
}

describe('profile secrets', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  const record = () => join(sb.root, 'secret-tool-args.txt');

  beforeEach(async () => {
    sb = new Sandbox();
    const bin = join(sb.root, 'bin');
    fakeSecretTool(bin, record());
    // The engine's environment is the one it started with: here, the CLI's that starts it.
    sb.env.ERRAND_TEST_OPENAI_KEY = ENV_SECRET;
    sb.env.PATH = `${bin}:${sb.env.PATH}`;
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it('hands the agent a secret from the engine\'s environment, and writes it nowhere the engine keeps', async () => {
    const repo = sb.repo();
    // ERRAND_ variables are not passed on to agents: the value can only arrive through the reference.
    await sb.fakeProfile('env-ref', ['env', 'OPENAI_API_KEY', 'env', 'ERRAND_TEST_OPENAI_KEY'], ['--env-from', 'OPENAI_API_KEY=ERRAND_TEST_OPENAI_KEY', '--env', 'MODE=fast']);
    const listed = await sb.errand(['profile', 'ls']);
    expect(listed.stdout).toContain('MODE=fast OPENAI_API_KEY=env:ERRAND_TEST_OPENAI_KEY');
    await sb.json(['add', 'use the key', '--repo', repo, '--profile', 'env-ref']);
    await watch.status(1, 'succeeded');

    const logs = (await sb.errand(['logs', '1'])).stdout;
    expect(logs).toContain(`env OPENAI_API_KEY=${ENV_SECRET}`);
    expect(logs).toContain('env ERRAND_TEST_OPENAI_KEY unset');
    for (const args of [['show', '1', '--json'], ['profile', 'ls', '--json'], ['ls', '--json']]) {
      expect((await sb.errand(args)).stdout, args.join(' ')).not.toContain(ENV_SECRET);
    }
    const stored = storedBytes(sb.dataDir);
    expect(stored).toContain('ERRAND_TEST_OPENAI_KEY');
    expect(stored).not.toContain(ENV_SECRET);
  });

  it.runIf(process.platform === 'linux')('looks a secret up in the keychain with secret-tool, as arguments, at each launch', async () => {
    const repo = sb.repo();
    await sb.fakeProfile('keychain-ref', ['env', 'ANTHROPIC_API_KEY'], ['--env-keychain', 'ANTHROPIC_API_KEY=errand-test/me']);
    expect((await sb.errand(['profile', 'ls'])).stdout).toContain('ANTHROPIC_API_KEY=keychain:errand-test/me');
    expect(existsSync(record())).toBe(false);
    await sb.json(['add', 'use the keychain', '--repo', repo, '--profile', 'keychain-ref']);
    await watch.status(1, 'succeeded');
    expect((await sb.errand(['logs', '1'])).stdout).toContain(`env ANTHROPIC_API_KEY=${KEYCHAIN_SECRET}`);
    expect(readFileSync(record(), 'utf8')).toBe('lookup\nservice\nerrand-test\naccount\nme\n');
    expect(storedBytes(sb.dataDir)).not.toContain(KEYCHAIN_SECRET);
  });

  it('fails a run whose secret is missing, before the agent starts, saying how to provide it', async () => {
    const repo = sb.repo();
    const started = join(sb.root, 'agent-started');
    await sb.fakeProfile('no-var', ['marker', started], ['--env-from', 'OPENAI_API_KEY=ERRAND_TEST_NOT_SET']);
    await sb.json(['add', 'needs a variable', '--repo', repo, '--profile', 'no-var']);
    const noVar = await watch.status(1, 'failed');
    expect(noVar.reason).toContain("OPENAI_API_KEY comes from env:ERRAND_TEST_NOT_SET, and the engine's environment has no ERRAND_TEST_NOT_SET");
    expect(noVar.reason).toContain('errand daemon stop');

    await sb.fakeProfile('no-entry', ['marker', started], ['--env-keychain', 'OPENAI_API_KEY=errand-test/nobody']);
    await sb.json(['add', 'needs a keychain entry', '--repo', repo, '--profile', 'no-entry']);
    const noEntry = await watch.status(2, 'failed');
    if (process.platform === 'linux') {
      expect(noEntry.reason).toContain('OPENAI_API_KEY comes from keychain:errand-test/nobody, and the keychain has no such entry');
      expect(noEntry.reason).toContain("secret-tool store --label='errand-test nobody' service 'errand-test' account 'nobody'");
    }
    expect(existsSync(started)).toBe(false);
  });

  it('refuses a secret-looking --env value, naming --env-from and --env-keychain, and stores nothing', async () => {
    for (const pair of ['GITHUB_TOKEN=ghp_x', 'OPENAI_API_KEY=sk-x', 'DB_PASSWORD=x', 'ANTHROPIC_AUTH_TOKEN=x', 'AWS_SECRET_ACCESS_KEY=x']) {
      const added = await sb.errand(['profile', 'add', 'leaky', '--env', pair, '--', 'agent', '{prompt}']);
      expect(added.code, pair).toBe(1);
      expect(added.stderr.trim().split('\n')).toHaveLength(1);
      expect(added.stderr).toContain(`--env-from ${pair.split('=')[0]}=VARIABLE`);
      expect(added.stderr).toContain('--env-keychain');
    }
    expect(await sb.json(['profile', 'ls'])).toEqual([]);
    const plain = await sb.errand(['profile', 'add', 'plain', '--env', 'GIT_AUTHOR_NAME=Errand', '--env', 'MODE=fast', '--', 'agent', '{prompt}']);
    expect(plain.code, plain.stderr).toBe(0);
  });

  it('keeps running a profile an older Errand saved with a plain secret, and profile ls says how to move it', async () => {
    const repo = sb.repo();
    await sb.fakeProfile('legacy', ['env', 'OPENAI_API_KEY'], ['--env', 'MODE=fast']);
    const db = new Database(join(sb.dataDir, 'errand.db'));
    try {
      db.prepare('UPDATE profiles SET env = ? WHERE name = ?').run(JSON.stringify({ OPENAI_API_KEY: 'sk-legacy-value' }), 'legacy');
    } finally {
      db.close();
    }
    const listed = await sb.errand(['profile', 'ls']);
    expect(listed.stdout).not.toContain('sk-legacy-value');
    expect(listed.stdout).toContain('OPENAI_API_KEY=(plain text!)');
    expect(listed.stdout).toContain('profile legacy keeps OPENAI_API_KEY as plain text in the database: re-add it with errand profile add legacy --replace --env-from OPENAI_API_KEY=VARIABLE');
    await sb.json(['add', 'still works', '--repo', repo, '--profile', 'legacy']);
    await watch.status(1, 'succeeded');
    expect((await sb.errand(['logs', '1'])).stdout).toContain('env OPENAI_API_KEY=sk-legacy-value');
  });
});
