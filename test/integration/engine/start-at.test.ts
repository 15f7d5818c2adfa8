// errand add --at: filed now, held by a start gate until its persisted timer fires, also across a restart.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

describe('errand add --at', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
    await sb.fakeProfile('fast', ['say', 'done']);
  });
  afterEach(async () => stopWatchedEngine({ sb, watch }));

  it('holds the task until its time, and says when in ls and show', async () => {
    const task = await sb.json(['add', 'nightly', '--repo', repo, '--profile', 'fast', '--at', 'tonight 2am']);
    expect(task).toMatchObject({ status: 'queued', waitReason: 'start_at' });
    expect(task.waitDetail).toMatch(/^starts \w{3} \d{1,2} \w{3} 02:00$/);
    expect((await sb.errand(['ls'])).stdout).toMatch(/1\s+queued \(waiting: starts \w{3} \d{1,2} \w{3} 02:00\)/);
    expect((await sb.errand(['show', '1'])).stdout).toMatch(/queued \(waiting: starts .* 02:00\)/);
    expect(watch.events.some((e) => e.type === 'run.status' && e.taskId === 1)).toBe(false);
  });

  it('starts it once the time comes', async () => {
    const filed = Date.now();
    await sb.json(['add', 'soon', '--repo', repo, '--profile', 'fast', '--at', '3s']);
    expect((await sb.json(['show', '1'])).task.waitReason).toBe('start_at');
    await watch.status(1, 'succeeded', 20_000);
    const run = (await sb.json(['show', '1'])).runs[0];
    expect(run.startedAt - filed).toBeGreaterThanOrEqual(2000);
  });

  it('keeps the time across a restart, and a time that passed while the engine was down starts it at start', async () => {
    const go = join(sb.root, 'go');
    await sb.fakeProfile('waits', ['wait-file', go, 'say', 'done']);
    await sb.json(['add', 'nightly', '--repo', repo, '--profile', 'waits', '--at', 'tonight 2am']);
    watch.stop();
    await sb.errand(['daemon', 'stop']);
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
    expect((await sb.json(['show', '1'])).task).toMatchObject({ status: 'queued', waitReason: 'start_at' });

    watch.stop();
    await sb.errand(['daemon', 'stop']);
    const db = new Database(join(sb.dataDir, 'errand.db'));
    db.prepare("UPDATE timers SET at = ? WHERE kind = 'start-at' AND key = 1").run(Date.now() - 3_600_000);
    db.close();
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
    writeFileSync(go, '');
    await watch.status(1, 'succeeded');
    expect((await sb.json(['show', '1'])).runs).toHaveLength(1);
  });

  it('a task cancelled before its time starts at once when retried', async () => {
    await sb.json(['add', 'later', '--repo', repo, '--profile', 'fast', '--at', 'tomorrow 9am']);
    await sb.json(['cancel', '1']);
    await watch.status(1, 'cancelled');
    await sb.json(['retry', '1']);
    await watch.status(1, 'succeeded');
  });

  it.each([
    ['yesterday 9am', /in the past/],
    ['whenever you like', /Could not read "whenever you like" as a time/],
  ])('refuses --at %j and files nothing', async (at, message) => {
    const result = await sb.errand(['add', 'x', '--repo', repo, '--profile', 'fast', '--at', at]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect((await sb.json(['ls'])).tasks).toEqual([]);
  });
});
