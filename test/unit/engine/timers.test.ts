import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/engine/store/database.js';
import type { Db } from '../../../electron/engine/store/database.js';
import { TimersStore } from '../../../electron/engine/store/timers-store.js';
import { Timers } from '../../../electron/engine/timers.js';

let dir: string;
let db: Db;
let timers: Timers | null = null;

async function open(): Promise<TimersStore> {
  db = (await openDatabase(join(dir, 'errand.db'))).db;
  return new TimersStore(db);
}

function firings(t: Timers, kind: string): { keys: number[]; next: () => Promise<number> } {
  const keys: number[] = [];
  const waiters: ((key: number) => void)[] = [];
  t.on(kind, (key) => {
    keys.push(key);
    waiters.shift()?.(key);
  });
  return { keys, next: () => new Promise((resolve) => waiters.push(resolve)) };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'errand-timers-'));
});

afterEach(() => {
  timers?.stop();
  timers = null;
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Timers', () => {
  it('fires each timer once at its time, soonest first, and a timer set again moves', async () => {
    timers = new Timers(await open());
    const wake = firings(timers, 'wake');
    timers.start();
    const now = Date.now();
    timers.set('wake', 2, now + 60);
    timers.set('wake', 1, now + 20);
    timers.set('wake', 3, now + 10_000);
    timers.set('wake', 3, now + 40);
    expect(await wake.next()).toBe(1);
    expect(await wake.next()).toBe(3);
    expect(await wake.next()).toBe(2);
    expect(wake.keys).toEqual([1, 3, 2]);
    expect(new TimersStore(db).soonest()).toBeNull();
  });

  it('a cleared timer never fires', async () => {
    timers = new Timers(await open());
    const wake = firings(timers, 'wake');
    timers.start();
    timers.set('wake', 1, Date.now() + 20);
    timers.set('wake', 2, Date.now() + 40);
    expect(timers.clear('wake', 1)).toBe(true);
    expect(await wake.next()).toBe(2);
    expect(wake.keys).toEqual([2]);
  });

  it('survives a restart: times that passed while it was down fire once at start, later ones wait', async () => {
    const store = await open();
    const past = Date.now() - 3_600_000;
    store.set('schedule', 7, past);
    store.set('schedule', 8, past + 1000);
    store.set('schedule', 9, Date.now() + 3_600_000);
    db.close();

    timers = new Timers(await open());
    const schedule = firings(timers, 'schedule');
    timers.start();
    expect(schedule.keys).toEqual([7, 8]);
    expect(timers.at('schedule', 9)).not.toBeNull();
    expect(timers.at('schedule', 7)).toBeNull();
  });

  it('a handler may set its own timer again (the next occurrence), and set() never fires from inside itself', async () => {
    timers = new Timers(await open());
    let count = 0;
    const done = new Promise<void>((resolve) => {
      timers!.on('schedule', (key) => {
        count++;
        if (count < 3) timers!.set('schedule', key, Date.now() + 10);
        else resolve();
      });
    });
    timers.start();
    timers.set('schedule', 1, Date.now() - 1);
    // Never from inside set(): a caller is not re-entered.
    expect(count).toBe(0);
    await done;
    expect(count).toBe(3);
  });

  it('a handler that throws does not stop the others', async () => {
    timers = new Timers(await open());
    timers.on('bad', () => {
      throw new Error('boom');
    });
    const good = firings(timers, 'good');
    timers.start();
    const at = Date.now() + 20;
    timers.set('bad', 1, at);
    timers.set('good', 1, at);
    expect(await good.next()).toBe(1);
  });
});
