// ScheduleService over a real database, hub and timers; only the filing of a task is reduced to storing it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../../shared/protocol/events.js';
import { EventHub } from '../../../../electron/engine/event-hub.js';
import { SCHEDULE_TIMER, ScheduleService } from '../../../../electron/engine/schedules/schedule-service.js';
import { openDatabase } from '../../../../electron/engine/store/database.js';
import { Store } from '../../../../electron/engine/store/store.js';
import type { TasksService } from '../../../../electron/engine/tasks-service.js';
import { Timers } from '../../../../electron/engine/timers.js';

let dir: string;
let store: Store;
let timers: Timers;
let schedules: ScheduleService;
let fired: Extract<EngineEvent, { type: 'schedule.fired' }>[];
let waiters: (() => void)[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'errand-schedules-'));
  store = new Store((await openDatabase(join(dir, 'errand.db'))).db);
  const repo = store.repos.upsert({
    path: '/work/repo', name: 'repo', baseBranch: 'main', setupCommand: null, copyFiles: [], maxRunning: null,
    mergeStrategy: 'squash', checkCommand: null, checkRetries: 0, checkTimeoutMs: null, deleteMergedBranches: true,
  });
  const profile = store.profiles.upsert({ name: 'quiet', adapter: 'command', command: ['true'], env: {}, secretEnv: {}, needsInput: null, options: {}, builtin: false });
  const hub = new EventHub(store.events);
  fired = [];
  waiters = [];
  hub.listen((event) => {
    if (event.type !== 'schedule.fired') return;
    fired.push(event);
    waiters.shift()?.();
  });
  timers = new Timers(store.timers);
  const tasks = {
    addRepo: async () => repo,
    add: async (p: { prompt: string }, scheduleId: number) => {
      const id = store.tasks.insert({ prompt: p.prompt, repoId: repo.id, profileId: profile.id, priority: 0, scheduleId });
      store.runs.create(id);
      return store.tasks.byId(id)!;
    },
  } as unknown as TasksService;
  schedules = new ScheduleService(store, hub, timers, tasks);
  timers.start();
});

afterEach(() => {
  timers.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Makes the schedule's occurrence due now, and waits until it has fired. */
function due(id: number): Promise<void> {
  const done = new Promise<void>((resolve) => waiters.push(resolve));
  timers.set(SCHEDULE_TIMER, id, Date.now() - 1000);
  return done;
}

describe('ScheduleService', () => {
  it('skips an occurrence while the task of the last one is still queued or running, and files again once it ended', async () => {
    const s = await schedules.add({ when: 'every 2h', prompt: 'triage', repo: '/work/repo', profile: 'quiet', timeZone: 'UTC' });
    await due(s.id);
    await due(s.id);
    expect(fired.map((e) => [e.taskId, e.skipped])).toEqual([
      [1, null],
      [null, 'task 1 from the last occurrence is still queued'],
    ]);
    store.runs.update(store.tasks.byId(1)!.run!.id, { status: 'succeeded', endedAt: Date.now() });
    await due(s.id);
    expect(fired.at(-1)).toMatchObject({ taskId: 2, skipped: null });
    expect(schedules.get(s.id).tasks.map((t) => t.id)).toEqual([2, 1]);
    expect(schedules.get(s.id).schedule.nextAt).toBeGreaterThan(Date.now());
  });

  it('files nothing for a paused schedule, and resumes from now', async () => {
    const s = await schedules.add({ when: 'every 2h', prompt: 'triage', repo: '/work/repo', profile: 'quiet', timeZone: 'UTC' });
    expect(schedules.pause(s.id)).toMatchObject({ paused: true, nextAt: null });
    timers.set(SCHEDULE_TIMER, s.id, Date.now() - 1000);
    // The timer is taken off when it fires, in the same turn as its handler.
    while (timers.at(SCHEDULE_TIMER, s.id) !== null) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fired).toEqual([]);
    expect(schedules.resume(s.id).nextAt).toBeGreaterThan(Date.now());
  });
});
