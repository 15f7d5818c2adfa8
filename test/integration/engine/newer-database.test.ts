// A database written by a newer Errand is refused with a message that says so, and left exactly as it was.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../../support/sandbox.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('a database from a newer version', () => {
  let sb: Sandbox;
  let dbPath: string;

  beforeEach(async () => {
    sb = new Sandbox();
    dbPath = join(sb.dataDir, 'errand.db');
    // A real database with something in it, then the engine stopped.
    await sb.fakeProfile('fake', ['say', 'hi']);
    await sb.json(['repo', 'add', sb.repo()]);
    expect((await sb.errand(['daemon', 'stop'])).code).toBe(0);
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  async function expectRefusedAndUntouched(): Promise<void> {
    const files = readdirSync(sb.dataDir).filter((f) => f.startsWith('errand.db')).sort();
    const digest = sha256(dbPath);

    for (const args of [['ls'], ['profile', 'ls'], ['daemon', 'start']]) {
      const result = await sb.errand(args);
      expect(result.code, result.stderr).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/schema version 999/);
      expect(lines[0]).toMatch(/newer/);
      expect(result.stdout).toBe('');
    }
    expect(sha256(dbPath)).toBe(digest);
    expect(readdirSync(sb.dataDir).filter((f) => f.startsWith('errand.db')).sort()).toEqual(files);
    expect(existsSync(join(sb.dataDir, 'engine.sock'))).toBe(false);
    expect((await sb.json(['daemon', 'status'])).up).toBe(false);
  }

  it('refuses it (in WAL mode, as Errand writes it) and leaves its bytes unchanged', async () => {
    const db = new Database(dbPath);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.pragma('user_version = 999');
    db.close();
    await expectRefusedAndUntouched();
  });

  it('refuses it in rollback-journal mode too, without switching it to WAL', async () => {
    const db = new Database(dbPath);
    db.pragma('journal_mode = DELETE');
    db.pragma('user_version = 999');
    db.close();
    await expectRefusedAndUntouched();
    const check = new Database(dbPath, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(check.pragma('user_version', { simple: true })).toBe(999);
    check.close();
  });
});
