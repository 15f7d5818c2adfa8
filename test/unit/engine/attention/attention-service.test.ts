// The attention service over a real database: ranking by blocked work and waiting time, what interrupts once a
// digest is set, bursts, the digest told by its persisted timer, and parts that keep an attention out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../../../../shared/protocol/events.js';
import { AttentionService } from '../../../../electron/engine/attention/attention-service.js';
import { BURST_QUIET_MS } from '../../../../electron/engine/attention/burst.js';
import { EventHub } from '../../../../electron/engine/event-hub.js';
import { openDatabase } from '../../../../electron/engine/store/database.js';
import { Store } from '../../../../electron/engine/store/store.js';
import { Timers } from '../../../../electron/engine/timers.js';

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

let dir: string;
let store: Store;
let hub: EventHub;
let timers: Timers;
let attention: AttentionService;
let events: EngineEvent[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'errand-attention-'));
  store = new Store((await openDatabase(join(dir, 'errand.db'))).db);
  hub = new EventHub(store.events);
  timers = new Timers(store.timers);
  attention = new AttentionService(store, hub, timers);
  events = [];
  hub.listen((e) => events.push(e));
});

afterEach(() => {
  vi.useRealTimers();
  attention.stop();
  timers.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function newTask(prompt: string): { taskId: number; runId: number } {
  const repo = store.repos.byPath('/r') ?? store.repos.upsert({
    path: '/r', name: 'r', baseBranch: 'main', setupCommand: null, copyFiles: [], maxRunning: null,
    mergeStrategy: 'squash', checkCommand: null, checkRetries: 0, checkTimeoutMs: null, deleteMergedBranches: true,
  });
  const profile = store.profiles.byName('p') ?? store.profiles.upsert({
    name: 'p', adapter: 'command', command: ['true'], env: {}, secretEnv: {}, needsInput: null, options: {}, builtin: false,
  });
  const taskId = store.tasks.insert({ prompt, repoId: repo.id, profileId: profile.id, priority: 0 });
  return { taskId, runId: store.runs.create(taskId).id };
}

function attend(kind: 'finished' | 'failed' | 'needs_input', at: number, prompt = `task at ${at}`): number {
  const { taskId, runId } = newTask(prompt);
  hub.emit({ type: 'attention', taskId, runId, kind, message: kind, at });
  return taskId;
}

const of = <T extends EngineEvent['type']>(type: T) => events.filter((e): e is Ev<T> => e.type === type);

describe('AttentionService', () => {
  it('ranks by the work an item blocks, then by how long it has waited', () => {
    const now = Date.now();
    const [a, b, c] = [attend('finished', now - 3000), attend('failed', now - 2000), attend('finished', now - 1000)];
    attention.addBlockedCounter((taskId) => (taskId === c ? 2 : 0));
    attention.addBlockedCounter((taskId) => (taskId === b ? 1 : 0));
    attention.addBlockedCounter(() => {
      throw new Error('a broken counter counts nothing');
    });
    const list = attention.list({});
    expect(list.items.map((i) => [i.taskId, i.blocked])).toEqual([[c, 2], [b, 1], [a, 0]]);
    expect(list.items.map((i) => i.kind)).toEqual(['result', 'failure', 'result']);
    expect(list.total).toBe(3);
    expect(attention.list({ limit: 1 }).items.map((i) => i.taskId)).toEqual([c]);
  });

  it('tells a burst once it goes quiet; with a digest set, only what blocks work or holds an agent interrupts', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const digest = attention.digestSetting({ times: ['9:00', '17:30'], timeZone: 'Europe/Berlin' });
    expect(digest).toMatchObject({ times: ['09:00', '17:30'], timeZone: 'Europe/Berlin' });
    expect(digest.nextAt).toBeGreaterThan(Date.now());
    const now = Date.now();
    const blocker = attend('finished', now);
    attend('finished', now);
    const asker = attend('needs_input', now);
    attention.addBlockedCounter((taskId) => (taskId === blocker ? 1 : 0));
    vi.advanceTimersByTime(BURST_QUIET_MS - 1);
    expect(of('inbox.burst')).toHaveLength(0);
    vi.advanceTimersByTime(1);
    const [burst] = of('inbox.burst');
    expect(burst).toMatchObject({ count: 3, text: '2 tasks finished, 1 question', nextDigestAt: digest.nextAt });
    const byTask = new Map(attention.list({}).items.map((i) => [i.id, i.taskId]));
    expect(burst!.interrupt.map((id) => byTask.get(id)).sort()).toEqual([blocker, asker].sort());
  });

  it('tells the digest when its persisted time comes (one missed while down comes once), then sets the next', () => {
    attention.digestSetting({ times: ['9:00'], timeZone: 'UTC' });
    const seenOne = attend('finished', Date.now() - 2000);
    attend('failed', Date.now() - 1000);
    attention.seen({ taskIds: [seenOne] });
    timers.set('digest', 1, Date.now() - 60_000);
    timers.start();
    const digests = of('inbox.digest');
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({ total: 1, text: '1 task failed', inbox: { open: 2, unseen: 1 } });
    expect(digests[0]!.items.map((i) => i.kind)).toEqual(['failure']);
    const next = timers.at('digest', 1)!;
    expect(next).toBeGreaterThan(Date.now());
    expect(new Date(next).getUTCHours()).toBe(9);
    expect(digests[0]!.nextDigestAt).toBe(next);
    expect(attention.digestSetting({ times: [] })).toMatchObject({ times: [], nextAt: null });
    expect(timers.at('digest', 1)).toBeNull();
  });

  it('refuses digest times it cannot read, keeping the old ones', () => {
    attention.digestSetting({ times: ['9:00'], timeZone: 'UTC' });
    expect(() => attention.digestSetting({ times: ['25:00'] })).toThrow('"25:00" is not a time of day');
    expect(() => attention.digestSetting({ times: ['9:00'], timeZone: 'Mars/Olympus' })).toThrow('not a time zone');
    expect(attention.digestSetting(undefined)).toMatchObject({ times: ['09:00'], timeZone: 'UTC' });
  });

  it('keeps out what a part says is not for the person, and one item stands for one thing asked', () => {
    attention.addKeepOut((_taskId, kind) => kind === 'failure');
    attend('failed', Date.now());
    const { taskId, runId } = newTask('twice');
    hub.emit({ type: 'attention', taskId, runId, kind: 'finished', message: 'succeeded', at: Date.now() });
    hub.emit({ type: 'attention', taskId, runId, kind: 'finished', message: 'no changes in the worktree', at: Date.now() });
    const list = attention.list({ all: true });
    expect(list.items.map((i) => [i.kind, i.message])).toEqual([['result', 'no changes in the worktree']]);
    expect(of('inbox.added')).toHaveLength(1);
  });

  it('holds a snoozed task\'s attention from clients, and tells at its wake only what still needs the person', () => {
    const told: EngineEvent[] = [];
    hub.watch({ id: 1, send: (e) => told.push(e), bufferedBytes: () => 0, onceDrained: () => {}, close: () => {} });
    const { taskId, runId } = newTask('sleepy');
    attention.snooze({ taskId, when: '2h' });
    hub.emit({ type: 'attention', taskId, runId, kind: 'needs_input', message: 'Go on? [y/N]', at: Date.now() });
    hub.emit({ type: 'run.status', taskId, runId, status: 'running', previous: 'needs_input', reason: null, question: null, exitCode: null, ended: false, attempt: 1, progress: {}, startedAt: null, endedAt: null, at: Date.now() });
    hub.emit({ type: 'attention', taskId, runId, kind: 'finished', message: 'succeeded', at: Date.now() });
    hub.emit({ type: 'attention', taskId, runId, kind: 'failed', message: 'exited with code 1', at: Date.now() });
    const attentionTold = () => told.filter((e): e is Ev<'attention'> => e.type === 'attention').map((e) => e.kind);
    expect(attentionTold()).toEqual(['failed']);
    expect(attention.count()).toEqual({ open: 1, unseen: 1, snoozed: 1 });
    attention.wake({ taskId });
    expect(attentionTold()).toEqual(['failed', 'finished']);
    expect(attention.count()).toEqual({ open: 2, unseen: 2, snoozed: 0 });
    expect(attention.list({ all: true }).items.map((i) => [i.kind, i.resolution, i.snoozeEnded])).toEqual([
      ['failure', null, false],
      ['result', null, true],
      ['question', 'answered', false],
    ]);
  });
});
