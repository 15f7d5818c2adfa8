// Snooze: an item or a task leaves the inbox and its count until a time read in the person's zone, then comes back
// marked "snooze ended". A snoozed task keeps running, and its attention waits with it, a failure excepted.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;
const HOUR_MS = 3600_000;

describe('snooze', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  const added = (taskId: number, kind: string) =>
    watch.waitFor<Ev<'inbox.added'>>((e) => e.type === 'inbox.added' && e.item.taskId === taskId && e.item.kind === kind, `an inbox ${kind} for task ${taskId}`);
  const woken = (test: (e: Ev<'inbox.woken'>) => boolean, what: string) =>
    watch.waitFor<Ev<'inbox.woken'>>((e) => e.type === 'inbox.woken' && test(e), what);

  async function oneResult(): Promise<number> {
    await sb.fakeProfile('idle', ['say', 'hi']);
    await sb.json(['add', 'hello', '--repo', repo, '--profile', 'idle']);
    return (await added(1, 'result')).item.id;
  }

  it('an item leaves the inbox and the count until it wakes, then comes back marked and unseen', async () => {
    const id = await oneResult();
    await sb.json(['seen', `i${id}`]);
    const before = Date.now();
    const snoozed = await sb.json(['snooze', `i${id}`, '2h']);
    expect(snoozed).toMatchObject({ taskId: null, itemIds: [id], inbox: { open: 0, unseen: 0, snoozed: 1 } });
    expect(snoozed.until).toBeGreaterThanOrEqual(before + 2 * HOUR_MS);
    expect(snoozed.until).toBeLessThan(Date.now() + 2 * HOUR_MS + 5000);
    expect(await watch.waitFor((e) => e.type === 'inbox.snoozed', 'snoozed')).toMatchObject({ itemIds: [id], until: snoozed.until });
    expect((await sb.json(['inbox'])).items).toEqual([]);
    expect((await sb.json(['daemon', 'status'])).inbox).toEqual({ open: 0, unseen: 0, snoozed: 1 });
    expect((await sb.json(['inbox', '--snoozed'])).items).toMatchObject([{ id, snoozedUntil: snoozed.until }]);

    const awake = await sb.json(['wake', `i${id}`]);
    expect(awake).toMatchObject({ itemIds: [id], inbox: { open: 1, unseen: 1, snoozed: 0 } });
    expect((await woken((e) => e.taskId === null, 'woken')).items).toMatchObject([{ id, snoozeEnded: true, seenAt: null, snoozedUntil: null }]);
    expect((await sb.errand(['inbox', '--peek'])).stdout).toMatch(new RegExp(`i${id}\\s+new\\s+result .*\\(snooze ended\\) no changes`));
    const again = await sb.errand(['wake', `i${id}`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Item i${id} is not snoozed`);
  });

  it('a snoozed running task keeps running; its attention waits until it wakes, but a failure comes through', async () => {
    const go = join(sb.root, 'go');
    await sb.fakeProfile('waiter', ['say', 'ready', 'wait-file', go]);
    await sb.fakeProfile('breaker', ['say', 'ready', 'wait-file', go, 'exit', '2']);
    await sb.json(['add', 'slow work', '--repo', repo, '--profile', 'waiter']);
    await sb.json(['add', 'doomed work', '--repo', repo, '--profile', 'breaker']);
    await watch.status(1, 'running');
    await watch.status(2, 'running');
    const snoozed = await sb.json(['snooze', '1', 'tomorrow 9am']);
    expect(snoozed).toMatchObject({ taskId: 1, itemIds: [] });
    await sb.json(['snooze', '2', 'tomorrow 9am']);
    expect((await sb.json(['inbox', '--snoozed'])).snoozedTasks.map((s: any) => s.taskId).sort()).toEqual([1, 2]);

    writeFileSync(go, '');
    expect((await watch.status(1, 'succeeded')).ended).toBe(true);
    // The failure gets through at once, attention event and all.
    const failed = await added(2, 'failure');
    expect(failed.item.message).toBe('exited with code 2');
    await watch.waitFor((e) => e.type === 'attention' && e.taskId === 2 && e.kind === 'failed', 'the failure told');
    await watch.waitFor((e) => e.type === 'task.review' && e.taskId === 1 && e.review === 'unreviewed', 'task 1 in review');
    const inbox = await sb.json(['inbox', '--peek']);
    expect(inbox.items.map((i: any) => i.taskId)).toEqual([2]);
    expect(inbox.inbox).toEqual({ open: 1, unseen: 1, snoozed: 1 });
    expect(watch.events.some((e) => e.type === 'attention' && e.taskId === 1)).toBe(false);
    expect(watch.events.some((e) => e.type === 'inbox.added' && e.item.taskId === 1)).toBe(false);

    await sb.json(['wake', '1']);
    const back = await woken((e) => e.taskId === 1, 'task 1 awake');
    expect(back.items).toMatchObject([{ taskId: 1, kind: 'result', snoozeEnded: true, message: 'no changes in the worktree' }]);
    expect(back.inbox).toEqual({ open: 2, unseen: 2, snoozed: 0 });
    // What was held back is told now.
    await watch.waitFor((e) => e.type === 'attention' && e.taskId === 1 && e.kind === 'finished', 'the held attention, released');
    const burst = await watch.waitFor<Ev<'inbox.burst'>>((e) => e.type === 'inbox.burst' && e.itemIds.includes(back.items[0]!.id), 'told in a burst');
    // The failure may share its burst, if it came within the quiet window.
    expect(burst.kinds.result).toBe(1);
    expect(burst.text).toContain('1 task finished');
    expect((await sb.errand(['wake', '1'])).stderr).toContain('Task 1 is not snoozed');
  });

  it('refuses an unreadable or past time, or a target that is not there, and changes nothing', async () => {
    const id = await oneResult();
    const unreadable = await sb.errand(['snooze', `i${id}`, 'whenever', 'suits']);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain('Could not read "whenever suits" as a time. Try "2h"');
    const past = await sb.errand(['snooze', '1', '2020-01-01 10:00']);
    expect(past.code).toBe(1);
    expect(past.stderr).toContain('"2020-01-01 10:00" is in the past');
    expect((await sb.errand(['snooze', '7', '2h'])).stderr).toContain('There is no task 7');
    expect((await sb.errand(['snooze', 'i99', '2h'])).stderr).toContain('There is no inbox item i99');
    expect((await sb.errand(['snooze', '1'])).code).toBe(2);
    const list = await sb.json(['inbox', '--peek']);
    expect(list.items.map((i: any) => [i.id, i.snoozedUntil])).toEqual([[id, null]]);
    expect(list.inbox).toEqual({ open: 1, unseen: 1, snoozed: 0 });
    expect(list.snoozedTasks).toEqual([]);
    expect(watch.events.some((e) => e.type === 'inbox.snoozed')).toBe(false);

    // The CLI sends its time zone: "tomorrow 9am" in Tokyo is midnight UTC.
    const tokyo = await sb.errand(['snooze', `i${id}`, 'tomorrow', '9am', '--json'], { env: { TZ: 'Asia/Tokyo' } });
    expect(tokyo.code).toBe(0);
    const until = new Date(JSON.parse(tokyo.stdout).until);
    expect([until.getUTCHours(), until.getUTCMinutes()]).toEqual([0, 0]);
    expect(until.getTime() - Date.now()).toBeLessThanOrEqual(2 * 24 * HOUR_MS);
  });

  it('a wake-up time survives a restart of the engine', async () => {
    const id = await oneResult();
    const snoozed = await sb.json(['snooze', `i${id}`, '3s']);
    watch.stop();
    await sb.json(['daemon', 'stop']);
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
    // Still snoozed after the restart, unless its time has already come (then it woke at start).
    const now = await sb.json(['inbox', '--peek']);
    if (Date.now() < snoozed.until - 500) expect(now.inbox.snoozed).toBe(1);
    const back = await sb.json(['inbox', '--peek']).then(async (list) =>
      list.inbox.snoozed === 0 ? list : (await woken(() => true, 'woken after the restart'), sb.json(['inbox', '--peek'])),
    );
    expect(back.items).toMatchObject([{ id, snoozeEnded: true, snoozedUntil: null }]);
    expect(back.inbox).toEqual({ open: 1, unseen: 1, snoozed: 0 });
  });
});
