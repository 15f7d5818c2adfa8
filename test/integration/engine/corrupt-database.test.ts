// A damaged database is refused before anything is written into it, `errand db check` says what is wrong, and
// `errand db restore` brings back the newest sound backup, keeping the damaged file aside.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupName, parseBackupName } from '../../../shared/db-maintenance.js';
import { EventWatcher } from '../../support/event-watcher.js';
import { isAlive, waitUntil } from '../../support/processes.js';
import { Sandbox } from '../../support/sandbox.js';
import { seededRandom } from '../../support/seeded-random.mjs';

const DAY_MS = 24 * 60 * 60 * 1000;
const PAGE_BYTES = 4096;
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** 16 KB of garbage in the middle of the file, past its header page: what the probe wrote. */
function damage(path: string): void {
  const random = seededRandom(7);
  const garbage = Buffer.from(Array.from({ length: 16 * 1024 }, () => Math.floor(random() * 256)));
  const offset = Math.max(PAGE_BYTES, Math.floor(statSync(path).size / 2 / PAGE_BYTES) * PAGE_BYTES);
  const fd = openSync(path, 'r+');
  writeSync(fd, garbage, 0, garbage.length, offset);
  closeSync(fd);
}

/** Makes every backup look `days` older, as if the engine had last run then. */
function ageBackups(dataDir: string, days: number): void {
  const dir = join(dataDir, 'backups');
  for (const name of readdirSync(dir)) {
    const parsed = parseBackupName(name);
    if (parsed) renameSync(join(dir, name), join(dir, backupName(parsed.kind, parsed.takenAt - days * DAY_MS)));
  }
}

const backupsIn = (dataDir: string) => readdirSync(join(dataDir, 'backups')).sort();

describe('a damaged database', () => {
  let sb: Sandbox;
  let watch: EventWatcher | undefined;

  afterEach(async () => {
    watch?.stop();
    watch = undefined;
    await sb.cleanup();
  });

  /** Waits for the engine to exit by itself (the pid it wrote); a damaged database cannot tell its status. */
  async function engineGone(): Promise<void> {
    const pid = Number(readFileSync(join(sb.dataDir, 'engine.pid'), 'utf8'));
    await waitUntil(() => !isAlive(pid), `the engine (pid ${pid}) to stop`);
  }

  async function twoTasksThenStop(): Promise<string> {
    sb = new Sandbox();
    const repo = sb.repo();
    await sb.fakeProfile('fake', ['say', 'hi']);
    watch = await EventWatcher.start(sb);
    for (const prompt of ['first task', 'second task']) {
      const task = await sb.json(['add', prompt, '--repo', repo, '--profile', 'fake']);
      await watch.status(task.id, 'succeeded');
    }
    watch.stop();
    watch = undefined;
    expect((await sb.errand(['daemon', 'stop'])).code).toBe(0);
    return repo;
  }

  it('is refused and left byte for byte; db check reports it; db restore brings back the last backup', async () => {
    const repo = await twoTasksThenStop();
    // The first start's backup holds no tasks. A day later the next start takes one that holds both.
    ageBackups(sb.dataDir, 2);
    expect((await sb.errand(['daemon', 'start'])).code).toBe(0);
    expect((await sb.errand(['daemon', 'stop'])).code).toBe(0);
    const backups = backupsIn(sb.dataDir);
    expect(backups).toHaveLength(2);

    const dbPath = join(sb.dataDir, 'errand.db');
    damage(dbPath);
    const digest = sha256(dbPath);
    const files = readdirSync(sb.dataDir).filter((f) => f.startsWith('errand.db')).sort();

    for (const args of [['ls'], ['add', 'a third task', '--repo', repo, '--profile', 'fake'], ['show', '1']]) {
      const result = await sb.errand(args);
      expect(result.code, result.stderr).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/is damaged \(.*malformed/);
      expect(lines[0]).toMatch(/errand db check/);
      expect(lines[0]).toMatch(/errand db restore/);
      expect(lines[0]).not.toMatch(/unexpected error/);
    }
    expect((await sb.errand(['ls', '--json'])).stdout).toMatch(/"code":"db_corrupt"/);
    expect(sha256(dbPath)).toBe(digest);
    expect(readdirSync(sb.dataDir).filter((f) => f.startsWith('errand.db')).sort()).toEqual(files);
    expect((await sb.json(['daemon', 'status'])).up).toBe(false);

    const check = await sb.errand(['db', 'check']);
    expect(check.code, check.stderr).toBe(1);
    expect(check.stdout).toMatch(/errand\.db is damaged; integrity_check found:/);
    expect(check.stdout).toContain(backups[1]);
    expect(check.stderr).toMatch(/errand db restore/);
    const checked = await sb.errand(['db', 'check', '--json']);
    expect(JSON.parse(checked.stdout)).toMatchObject({ ok: false, exists: true, depth: 'full' });
    expect(sha256(dbPath)).toBe(digest);

    const restored = await sb.json(['db', 'restore']);
    expect(restored.restored.name).toBe(backups[1]);
    expect(restored.keptAside).toMatch(/errand\.db\.corrupt-\d{8}-\d{6}$/);
    expect(sha256(restored.keptAside)).toBe(digest);

    const { tasks } = await sb.json(['ls']);
    expect(tasks.map((t: { prompt: string }) => t.prompt).sort()).toEqual(['first task', 'second task']);
    expect((await sb.json(['db', 'check'])).ok).toBe(true);
  });

  it('restores a named backup, and only while no engine runs', async () => {
    await twoTasksThenStop();
    const [first] = backupsIn(sb.dataDir);
    expect((await sb.errand(['daemon', 'start'])).code).toBe(0);
    const refused = await sb.errand(['db', 'restore', first!]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/An engine is running .*errand daemon stop/);
    expect((await sb.json(['ls'])).tasks).toHaveLength(2);

    expect((await sb.errand(['daemon', 'stop'])).code).toBe(0);
    const unknown = await sb.errand(['db', 'restore', 'errand-nope.db']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`The backups are: ${first}`);
    expect((await sb.json(['db', 'restore', first!])).restored.name).toBe(first);
    expect((await sb.json(['ls'])).tasks).toHaveLength(0);
  });

  it('is found off the event loop when too big to check at open: the engine stops, and later starts refuse', async () => {
    await twoTasksThenStop();
    const dbPath = join(sb.dataDir, 'errand.db');
    damage(dbPath);
    // As for a database over the size checked before starting: the engine starts, then its check stops it; or a read
    // while it starts (timers, chains, the inbox) meets the damage first, and that is recorded the same way.
    const big = { env: { ERRAND_CHECK_AT_OPEN_MAX_BYTES: '0' } };
    const started = await sb.errand(['daemon', 'start'], big);
    if (started.code === 0) await engineGone();
    else expect(started.stderr).toMatch(/is damaged .*so the engine did not start.*errand db restore/);
    expect(existsSync(join(sb.dataDir, 'errand.db.damaged'))).toBe(true);
    const refused = await sb.errand(['ls'], big);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is damaged/);
    expect(refused.stderr).toMatch(/errand db restore/);
    expect((await sb.json(['daemon', 'status'])).up).toBe(false);
  });

  /** Damages the tables of a running engine's database so that its next read meets it. */
  function damageUnderTheEngine(): void {
    const dbPath = join(sb.dataDir, 'errand.db');
    // Another connection's commit makes the engine drop its page cache and read the tables from the file again.
    const side = new Database(dbPath);
    side.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('probe', '1')").run();
    side.close();
    const size = statSync(dbPath).size;
    const random = seededRandom(9);
    const fd = openSync(dbPath, 'r+');
    writeSync(fd, Buffer.from(Array.from({ length: size - PAGE_BYTES }, () => Math.floor(random() * 256))), 0, size - PAGE_BYTES, PAGE_BYTES);
    closeSync(fd);
  }

  it('met while serving is a db_corrupt error that says what to do, and the engine stops itself', async () => {
    await twoTasksThenStop();
    expect((await sb.errand(['daemon', 'start'])).code).toBe(0);
    damageUnderTheEngine();

    const result = await sb.errand(['ls', '--json']);
    expect(result.code).toBe(1);
    const { error } = JSON.parse(result.stdout);
    expect(error.code).toBe('db_corrupt');
    expect(error.message).toMatch(/The database is damaged .*errand db restore/);
    await engineGone();
    expect(existsSync(join(sb.dataDir, 'errand.db.damaged'))).toBe(true);
    expect((await sb.json(['daemon', 'status'])).up).toBe(false);
  });

  it('does not keep a forced stop from stopping the engine', async () => {
    await twoTasksThenStop();
    expect((await sb.errand(['daemon', 'start'])).code).toBe(0);
    damageUnderTheEngine();
    const stop = await sb.errand(['daemon', 'stop', '--force']);
    expect(stop.code, stop.stderr).toBe(0);
    expect((await sb.json(['daemon', 'status'])).up).toBe(false);
  });
});
