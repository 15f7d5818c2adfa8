// The chain's state machine over a real SQLite store: a step's end is taken on exactly once, however often it is seen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChainService } from '../../../../electron/engine/chains/chain-service.js';
import { EventHub } from '../../../../electron/engine/event-hub.js';
import { RunManager } from '../../../../electron/engine/run-manager.js';
import type { Scheduler } from '../../../../electron/engine/scheduler.js';
import { openDatabase } from '../../../../electron/engine/store/database.js';
import { Store } from '../../../../electron/engine/store/store.js';
import { Worktrees } from '../../../../electron/engine/worktrees/worktrees.js';
import type { EngineEvent } from '../../../../shared/protocol/events.js';

let dir: string;
let store: Store;
let chains: ChainService;
let runs: RunManager;
const events: EngineEvent[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'errand-chains-'));
  store = new Store((await openDatabase(join(dir, 'errand.db'))).db);
  const hub = new EventHub(store.events);
  hub.listen((e) => events.push(e));
  runs = new RunManager(store, hub, new Worktrees(join(dir, 'worktrees'), () => 'dd'), dir);
  // No pass starts anything here: the test plays the runs' ends itself.
  const scheduler = { addGate: () => {}, poke: () => {} } as unknown as Scheduler;
  chains = new ChainService({ store, hub, runs, scheduler, dataDir: dir });
  events.length = 0;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function chainTask(template = 'plan-implement-test'): number {
  const repo = store.repos.upsert({
    path: join(dir, 'repo'), name: 'repo', baseBranch: 'main', setupCommand: null, copyFiles: [], maxRunning: null,
    mergeStrategy: 'squash', checkCommand: null, checkRetries: 0, checkTimeoutMs: null, deleteMergedBranches: true,
  });
  const profile = store.profiles.upsert({ name: 'cmd', adapter: 'command', command: ['true'], env: {}, needsInput: null });
  const plan = chains.templates.plan(template);
  return store.db.transaction(() => {
    const id = store.tasks.insert({ prompt: 'do it', repoId: repo.id, profileId: profile.id, priority: 0 });
    chains.start(id, plan, 'do it');
    return id;
  })();
}

const stepsOf = (taskId: number) => store.runs.forTask(taskId).map((r) => [r.step, r.status]);
const end = (taskId: number, status: 'succeeded' | 'failed') => {
  const run = store.tasks.byId(taskId)!.run!;
  runs.record(taskId, run.id, { status: 'running', startedAt: Date.now() });
  runs.record(taskId, run.id, { status, endedAt: Date.now() });
};

describe('a chain', () => {
  it('launches the next step once when a step succeeds, and is done after the last', () => {
    const id = chainTask();
    expect(stepsOf(id)).toEqual([[0, 'queued']]);
    end(id, 'succeeded');
    expect(stepsOf(id)).toEqual([[0, 'succeeded'], [1, 'queued']]);
    end(id, 'succeeded');
    end(id, 'succeeded');
    expect(stepsOf(id)).toEqual([[0, 'succeeded'], [1, 'succeeded'], [2, 'succeeded']]);
    expect(chains.chains.chain(id)!.state).toBe('done');
    // Only the last step's success was the person's.
    expect(events.filter((e) => e.type === 'attention').map((e) => (e as { kind: string }).kind)).toEqual(['finished']);
  });

  it('takes on a step that ended while no engine followed it, once, however often the engine starts', () => {
    const id = chainTask();
    const first = store.tasks.byId(id)!.run!;
    // As if the engine died after storing the run's end and before acting on it.
    store.runs.update(first.id, { status: 'succeeded', endedAt: Date.now() });
    chains.catchUp();
    chains.catchUp();
    expect(stepsOf(id)).toEqual([[0, 'succeeded'], [1, 'queued']]);
    // The same end announced again (a repeated event) launches nothing either.
    chains.stepEnded(id, first.id);
    expect(stepsOf(id)).toEqual([[0, 'succeeded'], [1, 'queued']]);
  });

  it('halts on a failure, counts the steps it blocks, and checks only its last step', () => {
    const id = chainTask();
    expect(chains.blockedBy(id)).toBe(2);
    end(id, 'succeeded');
    const second = store.tasks.byId(id)!.run!;
    expect(runs.checksRun(second)).toBe(false);
    end(id, 'failed');
    expect(chains.chains.chain(id)).toMatchObject({ state: 'halted', position: 1 });
    expect(chains.blockedBy(id)).toBe(2);
    expect(stepsOf(id)).toEqual([[0, 'succeeded'], [1, 'failed']]);
    const attention = events.filter((e) => e.type === 'attention').map((e) => (e as { kind: string }).kind);
    expect(attention).toEqual(['chain_halted']);
  });
});
