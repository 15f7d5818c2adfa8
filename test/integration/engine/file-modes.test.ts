// Everything the engine keeps in its data directory is for its owner alone, whatever the umask and whatever mode the
// directory already had; the agents' own work in their worktrees keeps the umask they inherit.
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventWatcher } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Every path under the data dir that others may read, write or enter; a worktree's checkout is the agent's. */
function openToOthers(dataDir: string): string[] {
  const open: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(dataDir, path);
      if (rel.split('/')[0] === 'worktrees' && rel.split('/').length >= 3) continue;
      // git writes a review's temporary index with the umask agents inherit; it lives, briefly, only in tmp/ (0700).
      if (rel.split('/')[0] === 'tmp' && rel.split('/').length >= 2) continue;
      const stat = lstatSync(path);
      if (!stat.isSymbolicLink() && (stat.mode & 0o077) !== 0) open.push(`${rel} ${octal(stat.mode)}`);
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(dataDir);
  return open;
}

describe('file modes in the data directory', () => {
  let umask: number;
  let sb: Sandbox;
  let watch: EventWatcher | undefined;

  beforeAll(() => {
    // The most open umask there is: whatever the engine makes with SQLite or Node's defaults would come out 0644/0666.
    umask = process.umask(0o000);
  });
  afterAll(() => process.umask(umask));
  afterEach(async () => {
    watch?.stop();
    watch = undefined;
    await sb.cleanup();
  });

  for (const made of [0o755, 0o777]) {
    it(`keeps every file owner-only in a data dir made ${octal(made)}, under umask 000, and tightens the dir`, async () => {
      sb = new Sandbox();
      mkdirSync(sb.dataDir);
      chmodSync(sb.dataDir, made);
      // What an older Errand left readable.
      writeFileSync(join(sb.dataDir, 'engine.log'), 'an older engine wrote this\n', { mode: 0o644 });
      const repo = sb.repo();
      await sb.fakeProfile('agent', ['edit', 'work.txt', 'the agent wrote this', 'say', 'done'], ['--env', 'GREETING=hello']);
      watch = await EventWatcher.start(sb);
      const task = await sb.json(['add', 'write a file', '--repo', repo, '--profile', 'agent']);
      await watch.status(task.id, 'succeeded');

      // While the engine runs: its socket, pid file, lock, database with its -wal and -shm, the run's files, a backup.
      const names = readdirSync(sb.dataDir);
      for (const name of ['engine.sock', 'engine.pid', 'engine.lock', 'errand.db', 'errand.db-wal', 'errand.db-shm', 'runs', 'backups']) {
        expect(names).toContain(name);
      }
      expect(openToOthers(sb.dataDir)).toEqual([]);
      expect(octal(statSync(sb.dataDir).mode)).toBe('0700');
      expect(readFileSync(join(sb.dataDir, 'engine.log'), 'utf8')).toContain(
        `the data directory ${sb.dataDir} was open to other users (mode ${octal(made)}); it is now 0700`,
      );

      // The agent's own file keeps the umask it inherited (000 here): the engine changed nobody's umask.
      const { runs } = await sb.json(['show', String(task.id)]);
      expect(octal(statSync(join(runs[0].worktree, 'work.txt')).mode)).toBe('0666');

      watch.stop();
      watch = undefined;
      expect((await sb.errand(['daemon', 'stop'])).code).toBe(0);
      expect(openToOthers(sb.dataDir)).toEqual([]);
    });
  }

  it.skipIf(process.getuid?.() !== 0)('refuses a data dir that belongs to another user, and says why', async () => {
    sb = new Sandbox();
    mkdirSync(sb.dataDir, { mode: 0o700 });
    chownSync(sb.dataDir, 65534, 65534);
    for (const args of [['ls'], ['daemon', 'start']]) {
      const result = await sb.errand(args);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/belongs to another user \(uid 65534\)/);
      expect(result.stderr).toMatch(/ERRAND_HOME/);
    }
    expect(existsSync(join(sb.dataDir, 'errand.db'))).toBe(false);
    expect(existsSync(join(sb.dataDir, 'engine.lock'))).toBe(false);
    chownSync(sb.dataDir, 0, 0);
  });
});
