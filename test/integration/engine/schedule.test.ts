// errand schedule: recurring tasks on persisted timers; a missed time runs once at start; "nothing found" stays out of the inbox.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../support/processes.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

const HOUR_MS = 3_600_000;

describe('errand schedule', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
    await sb.fakeProfile('quiet', ['say', 'nothing to report']);
    await sb.fakeProfile('fixer', ['edit', 'fixed.txt', 'fixed\n']);
  });
  afterEach(async () => stopWatchedEngine({ sb, watch }));

  async function restartWith(change: (db: Database.Database) => void): Promise<void> {
    watch.stop();
    await sb.errand(['daemon', 'stop']);
    const db = new Database(join(sb.dataDir, 'errand.db'));
    change(db);
    db.close();
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
  }

  it('adds one, lists it with its next time in the person’s zone, and shows it', async () => {
    const s = await sb.json(['schedule', 'add', 'every weekday 9:00', 'triage new lint warnings', '--repo', repo, '--profile', 'quiet']);
    expect(s).toMatchObject({ id: 1, when: 'every weekday 9:00', cron: '0 9 * * 1-5', paused: false, profile: 'quiet' });
    const next = new Date(s.nextAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect([next.getHours(), next.getMinutes()]).toEqual([9, 0]);
    expect([1, 2, 3, 4, 5]).toContain(next.getDay());
    await watch.waitFor((e) => e.type === 'schedule.changed' && e.schedule.id === 1, 'the schedule announced');
    expect((await sb.errand(['schedule', 'ls'])).stdout).toMatch(/1\s+every weekday 9:00\s+\w{3} \d+ \w{3} 09:00\s+quiet\s+triage new lint warnings/);
    expect((await sb.errand(['schedule', 'show', '1'])).stdout).toMatch(/schedule 1 {2}next .* 09:00 {2}\(every weekday 9:00; cron 0 9 \* \* 1-5/);
  });

  it('runs a time missed three occurrences ago once at start; a run that changes nothing is filed as nothing found, outside the inbox', async () => {
    await sb.json(['schedule', 'add', 'every 2h', 'look for lint', '--repo', repo, '--profile', 'quiet']);
    await sb.json(['schedule', 'add', 'every 2h', 'fix lint', '--repo', repo, '--profile', 'fixer']);
    await restartWith((db) => db.prepare("UPDATE timers SET at = ? WHERE kind = 'schedule'").run(Date.now() - 3 * 2 * HOUR_MS - 60_000));
    // Both are filed and may finish as the engine starts, before the watcher subscribes: read what is stored.
    const stored = (type: string) => {
      const events = new Database(join(sb.dataDir, 'errand.db'), { readonly: true });
      try {
        return (events.prepare('SELECT data FROM events WHERE type = ? ORDER BY id').pluck().all(type) as string[]).map((e) => JSON.parse(e));
      } finally {
        events.close();
      }
    };
    const done = () => stored('task.review').filter((e) => e.review === 'nothing_found' || e.review === 'unreviewed').length >= 2;
    await waitUntil(() => done() && stored('attention').some((e) => e.kind === 'finished'), 'both scheduled tasks to be done', 30_000, 200);
    const { tasks } = await sb.json(['ls']);
    expect(tasks).toHaveLength(2);
    const byPrompt = Object.fromEntries(tasks.map((t: { prompt: string }) => [t.prompt, t]));
    expect(byPrompt['look for lint']).toMatchObject({ review: 'nothing_found', scheduleId: 1 });
    expect(byPrompt['fix lint']).toMatchObject({ review: 'unreviewed', scheduleId: 2 });
    const quietId = byPrompt['look for lint'].id;
    const fixerId = byPrompt['fix lint'].id;
    expect(stored('attention').filter((e) => e.taskId === fixerId).map((e) => e.kind)).toEqual(['finished']);
    expect(stored('attention').filter((e) => e.taskId === quietId)).toEqual([]);
    expect(stored('task.review').filter((e) => e.taskId === quietId).map((e) => e.review)).toEqual(['nothing_found']);
    expect((await sb.errand(['show', String(quietId)])).stdout).toMatch(/schedule 1 · nothing found/);
    expect((await sb.errand(['schedule', 'show', '1'])).stdout).toMatch(new RegExp(`${quietId}\\s+succeeded.*nothing found`));
    // Once each (two tasks in all, and no skipped occurrences to catch up), and the next occurrence is counted from now.
    const db = new Database(join(sb.dataDir, 'errand.db'), { readonly: true });
    const fired = db.prepare("SELECT data FROM events WHERE type = 'schedule.fired' ORDER BY id").pluck().all() as string[];
    db.close();
    expect(fired.map((e) => JSON.parse(e)).map((e) => [e.scheduleId, e.taskId === null ? e.skipped : 'filed']).sort()).toEqual([
      [1, 'filed'],
      [2, 'filed'],
    ]);
    for (const s of (await sb.json(['schedule', 'ls'])).schedules) {
      expect(s.lastTaskId).toBe(s.id === 1 ? quietId : fixerId);
      expect(s.nextAt).toBeGreaterThan(Date.now());
      expect(s.nextAt - Date.now()).toBeLessThanOrEqual(2 * HOUR_MS);
    }
  });

  it('pauses, resumes, edits and removes, and a paused schedule files nothing at start', async () => {
    await sb.json(['schedule', 'add', 'every monday 8am', 'weekly triage', '--repo', repo, '--profile', 'quiet']);
    const paused = await sb.json(['schedule', 'pause', '1']);
    expect(paused).toMatchObject({ paused: true, nextAt: null });
    expect((await sb.errand(['schedule', 'pause', '1'])).stderr).toMatch(/paused already/);
    await restartWith((db) => db.prepare("INSERT OR REPLACE INTO timers (kind, key, at) VALUES ('schedule', 1, ?)").run(Date.now() - HOUR_MS));
    // The timer a paused schedule left (here put back by hand) fires, and files nothing.
    await watch.waitFor((e) => e.type === 'snapshot', 'the snapshot');
    expect((await sb.json(['ls'])).tasks).toEqual([]);

    const resumed = await sb.json(['schedule', 'resume', '1']);
    expect(resumed.paused).toBe(false);
    expect(new Date(resumed.nextAt).getDay()).toBe(1);
    const edited = await sb.json(['schedule', 'edit', '1', '--when', 'every day 18:30', '--prompt', 'daily triage']);
    expect(edited).toMatchObject({ cron: '30 18 * * *', prompt: 'daily triage', when: 'every day 18:30' });
    expect([new Date(edited.nextAt).getHours(), new Date(edited.nextAt).getMinutes()]).toEqual([18, 30]);
    expect(await sb.json(['schedule', 'rm', '1'])).toEqual({ removed: 1 });
    await watch.waitFor((e) => e.type === 'schedule.removed' && e.scheduleId === 1, 'the removal announced');
    expect((await sb.json(['schedule', 'ls'])).schedules).toEqual([]);
    expect((await sb.errand(['schedule', 'show', '1'])).stderr).toMatch(/There is no schedule 1/);
  });

  it.each([
    [['every day 25:00'], /"25:00" in "every day 25:00" is not a time of day/],
    [['every day 7'], /could be morning or evening\. Say "7am" or "7pm"/],
    [['every 5h'], /does not divide the day evenly/],
    [['tomorrow 9am'], /not a recurring time.*--at/],
    [['every day 9:00', '--profile', 'nobody'], /There is no profile "nobody"/],
  ])('refuses %j and stores nothing', async ([when, ...extra], message) => {
    const profile = extra.length ? extra : ['--profile', 'quiet'];
    const result = await sb.errand(['schedule', 'add', when!, 'a prompt', '--repo', repo, ...profile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect((await sb.json(['schedule', 'ls'])).schedules).toEqual([]);
  });

  it('an edit with a bad time leaves the schedule as it was', async () => {
    const before = await sb.json(['schedule', 'add', 'every day 9:00', 'triage', '--repo', repo, '--profile', 'quiet']);
    const result = await sb.errand(['schedule', 'edit', '1', '--when', 'every day 24:61']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not a time of day/);
    expect((await sb.json(['schedule', 'show', '1'])).schedule).toEqual(before);
  });
});
