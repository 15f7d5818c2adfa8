import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

describe('the store', () => {
  let sb: Sandbox;
  let watch: EventWatcher;

  beforeEach(async () => ({ sb, watch } = await startWatchedEngine()));
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it('is SQLite in WAL mode with strict tables and a numbered schema', () => {
    const db = new Database(join(sb.dataDir, 'errand.db'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(1);
      const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'search_text_%' AND name NOT LIKE 'sqlite_%'").all() as { name: string; sql: string }[];
      // Every part adds its tables (timers, groups, …): the core ones are there, and every one is strict.
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['events', 'profiles', 'repos', 'run_chunks', 'runs', 'settings', 'tasks', 'task_groups', 'task_dependencies']));
      for (const t of tables) expect(t.sql, t.name).toMatch(/STRICT/);
    } finally {
      db.close();
    }
  });

  it('finds tasks by their prompt and by what the agent asked, and keeps their history', async () => {
    const repo = sb.repo();
    await sb.fakeProfile('asker', ['ask', 'Should I migrate the flamingo table? [y/N]'], ['--needs-input', '\\[y/N\\]', '--quiet-ms', '200']);
    await sb.fakeProfile('quiet', ['say', 'ok']);
    await sb.json(['add', 'bump eslint and fix the warnings', '--repo', repo, '--profile', 'quiet']);
    await sb.json(['add', 'rename the database tables', '--repo', repo, '--profile', 'asker']);
    await watch.status(2, 'needs_input');

    const byPrompt = await sb.json(['search', 'eslint']);
    expect(byPrompt.tasks.map((t: { id: number }) => t.id)).toEqual([1]);
    const byQuestion = await sb.json(['search', 'flamingo']);
    expect(byQuestion.tasks.map((t: { id: number }) => t.id)).toEqual([2]);
    const prefix = await sb.json(['search', 'warn']);
    expect(prefix.tasks.map((t: { id: number }) => t.id)).toEqual([1]);
    const syntax = await sb.errand(['search', 'NEAR(" OR *', '--json']);
    expect(syntax.code).toBe(0);

    await sb.json(['send', '2', 'y']);
    await watch.status(2, 'succeeded');
    const db = new Database(join(sb.dataDir, 'errand.db'), { readonly: true });
    try {
      const types = (db.prepare('SELECT type FROM events WHERE task_id = 2 ORDER BY id').all() as { type: string }[]).map((r) => r.type);
      expect(types).toEqual(expect.arrayContaining(['task.created', 'run.created', 'run.status', 'attention']));
      const chunks = db.prepare('SELECT offset, length FROM run_chunks WHERE run_id = 2 ORDER BY offset').all() as { offset: number; length: number }[];
      let expected = 0;
      for (const c of chunks) {
        expect(c.offset).toBe(expected);
        expected += c.length;
      }
      const run = db.prepare('SELECT log_bytes FROM runs WHERE id = 2').get() as { log_bytes: number };
      expect(expected).toBe(run.log_bytes);
      expect(run.log_bytes).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});

describe('the environment an agent gets', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb.cleanup());

  it('is clean of the engine\'s own variables, with a 256-colour terminal and a free port', async () => {
    const repo = sb.repo();
    await sb.fakeProfile('env', ['env', 'ERRAND_HOME', 'env', 'npm_lifecycle_event', 'env', 'TERM', 'env', 'PORT', 'env', 'MY_SETTING'], ['--env', 'MY_SETTING=from profile']);
    const watch = await EventWatcher.start(sb);
    await sb.errand(['add', 'show env', '--repo', repo, '--profile', 'env'], { env: { npm_lifecycle_event: 'leak' } });
    await watch.status(1, 'succeeded');
    watch.stop();
    const out = (await sb.errand(['logs', '1'])).stdout;
    expect(out).toContain('env ERRAND_HOME unset');
    expect(out).toContain('env npm_lifecycle_event unset');
    expect(out).toContain('env TERM=xterm-256color');
    expect(out).toMatch(/env PORT=\d+/);
    expect(out).toContain('env MY_SETTING=from profile');
  });
});
