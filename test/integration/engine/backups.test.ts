// The engine keeps online backups of its database: one a day (the last three), and one before each migration.
import { copyFileSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../electron/engine/store/migrations.js';
import { backupName, parseBackupName } from '../../../shared/db-maintenance.js';
import { Sandbox } from '../../support/sandbox.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('backups of the database', () => {
  let sb: Sandbox;
  afterEach(() => sb.cleanup());

  const backups = () => readdirSync(join(sb.dataDir, 'backups')).sort();
  const startAndStop = async () => {
    expect((await sb.errand(['daemon', 'start'])).code).toBe(0);
    // A stop waits for a backup under way, so it is complete (or gone) once the engine has exited.
    expect((await sb.errand(['daemon', 'stop'])).code).toBe(0);
  };

  it('takes one a day, owner-only, and keeps the last three', async () => {
    sb = new Sandbox();
    await startAndStop();
    const [first, ...none] = backups();
    expect(none).toEqual([]);
    expect(parseBackupName(first!)?.kind).toBe('daily');
    expect(statSync(join(sb.dataDir, 'backups', first!)).mode & 0o777).toBe(0o600);
    expect(statSync(join(sb.dataDir, 'backups')).mode & 0o777).toBe(0o700);

    // The same day: none more.
    await startAndStop();
    expect(backups()).toEqual([first]);

    // Four older ones, the newest two days old: the next start takes one, and the oldest two go.
    const dir = join(sb.dataDir, 'backups');
    const takenAt = parseBackupName(first!)!.takenAt;
    const aged = [2, 3, 4, 5].map((days) => backupName('daily', takenAt - days * DAY_MS));
    for (const name of aged.slice(1)) copyFileSync(join(dir, first!), join(dir, name));
    renameSync(join(dir, first!), join(dir, aged[0]!));
    await startAndStop();
    const kept = backups();
    expect(kept).toHaveLength(3);
    expect(kept.slice(0, 2)).toEqual([aged[1], aged[0]]);
    expect(parseBackupName(kept[2]!)!.takenAt).toBeGreaterThan(takenAt - DAY_MS);
  });

  it('takes one before a migration, holding the database as it was', async () => {
    sb = new Sandbox();
    // A database an older Errand left: only the first migration applied, with a row in it.
    mkdirSync(sb.dataDir, { mode: 0o700 });
    const old = new Database(join(sb.dataDir, 'errand.db'));
    old.pragma('journal_mode = WAL');
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO repos (path, name, base_branch, created_at) VALUES ('/somewhere', 'somewhere', 'main', 0)").run();
    old.close();

    await startAndStop();
    const before = backups().filter((name) => parseBackupName(name)?.kind === `before-v${MIGRATIONS.length}`);
    expect(before).toHaveLength(1);
    const path = join(sb.dataDir, 'backups', before[0]!);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const copy = new Database(path, { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(1);
    expect(copy.prepare('SELECT path FROM repos').pluck().all()).toEqual(['/somewhere']);
    copy.close();
    const now = new Database(join(sb.dataDir, 'errand.db'), { readonly: true });
    expect(now.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    now.close();
    // Besides it, only the daily one.
    expect(backups().filter((name) => parseBackupName(name)?.kind === 'daily')).toHaveLength(1);
  });
});
