// blockedBy(taskId): how many queued tasks still wait on a task, the figure the inbox ranks by.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DependenciesStore } from '../../../../electron/engine/dependencies/dependencies-store.js';
import { openDatabase } from '../../../../electron/engine/store/database.js';
import { Store } from '../../../../electron/engine/store/store.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'errand-deps-'));
  store = new Store((await openDatabase(join(dir, 'errand.db'))).db);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('DependenciesStore.waitingOn', () => {
  it('counts the queued dependents not yet met, and no others', () => {
    const repo = store.repos.upsert({ path: '/r', name: 'r', baseBranch: 'main', setupCommand: null, copyFiles: [], maxRunning: null, mergeStrategy: 'squash', checkCommand: null, checkRetries: 0, checkTimeoutMs: null, deleteMergedBranches: true });
    const profile = store.profiles.upsert({ name: 'p', adapter: 'command', command: ['x'], env: {}, secretEnv: {}, needsInput: null, options: {}, builtin: false });
    const task = () => {
      const id = store.tasks.insert({ prompt: 't', repoId: repo.id, profileId: profile.id, priority: 0 });
      store.runs.create(id);
      return id;
    };
    const [prereq, a, b, c, d] = [task(), task(), task(), task(), task()];
    const deps = new DependenciesStore(store.db);
    expect(deps.waitingOn(prereq)).toBe(0);
    for (const id of [a, b, c, d]) deps.add(id, prereq, 'success');
    deps.add(d, a, 'merge');
    expect(deps.waitingOn(prereq)).toBe(4);
    expect(deps.waitingOn(a)).toBe(1);
    deps.markSatisfied(b, prereq, Date.now());
    const cRun = store.tasks.byId(c)!.run!;
    store.runs.update(cRun.id, { status: 'cancelled' });
    expect(deps.waitingOn(prereq)).toBe(2);
    // The same prerequisite again, with --after-merge: the stronger need holds, and it is one dependent still.
    deps.add(a, prereq, 'merge');
    expect(deps.of(a)).toEqual([{ prereqId: prereq, needs: 'merge', satisfiedAt: null, blockedReason: null }]);
    expect(deps.waitingOn(prereq)).toBe(2);
  });
});
