// Chains survive an engine restart, and each step is launched exactly once: a step's run is made in the same
// transaction that moves the chain on, so a restart finds it made (or not yet due), never to be made again.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stepperProfile } from '../../support/chain-helpers.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { isAlive, waitUntil } from '../../support/processes.js';
import type { Sandbox } from '../../support/sandbox.js';

const steps = (runs: { step: number; status: string }[]) => runs.map((r) => [r.step, r.status]);

describe('a chain across an engine restart', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
  });
  afterEach(async () => stopWatchedEngine({ sb, watch }));

  const killEngine = async () => {
    const { pid } = await sb.json(['daemon', 'status']);
    watch.stop();
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !isAlive(pid), 'the engine to die');
  };
  const chainDone = () => waitUntil(async () => (await sb.json(['chain', 'show', '1'])).state === 'done', 'the chain to finish', 60_000);

  it('killed while the next step waits for a slot: after the restart that same run starts, and each step runs once', async () => {
    await sb.json(['config', 'set', 'max-running', '1']);
    const prompts = await stepperProfile(sb, 'stepper', 0);
    await sb.fakeProfile('hog', ['wait-file', join(sb.root, 'never')]);
    await sb.json(['add', 'add a --verbose flag', '--repo', repo, '--profile', 'stepper', '--chain', 'plan-implement-test']);
    await waitUntil(() => existsSync(join(prompts, 'prompt-0.txt')), 'the plan step to start');
    await sb.json(['add', 'hold the only slot', '--repo', repo, '--profile', 'hog']);
    writeFileSync(`${prompts}.go`, '');
    // The hog's run was queued first, so it takes the slot; the implement step's run waits behind it.
    await watch.status(2, 'running');
    await waitUntil(async () => (await sb.json(['show', '1'])).task.waitReason === 'global_cap', 'the implement step to wait for a slot');
    const before = await sb.json(['show', '1']);
    expect(steps(before.runs)).toEqual([[0, 'succeeded'], [1, 'queued']]);

    await killEngine();
    watch = await EventWatcher.start(sb);
    await chainDone();

    const { runs } = await sb.json(['show', '1']);
    expect(steps(runs)).toEqual([[0, 'succeeded'], [1, 'succeeded'], [2, 'succeeded']]);
    expect(runs[1].id).toBe(before.runs[1].id);
    expect(readdirSync(prompts).sort()).toEqual(['prompt-0.txt', 'prompt-1.txt', 'prompt-2.txt']);
    expect((await sb.json(['show', '2'])).task.status).toBe('interrupted');
    expect((await sb.json(['show', '1'])).task.review).toBe('unreviewed');
  });

  it('stopped while a gate waits: the gate still holds after the restart, and continue runs the rest once each', async () => {
    await sb.fakeProfile('ok', ['say', 'step done']);
    const file = join(sb.root, 'steps.txt');
    writeFileSync(file, '[plan]\nplan {{task}}\n[implement gate]\ndo it: {{previous.summary}}\n[test]\ntest {{task}}\n');
    await sb.json(['chain', 'add', 'gated', '--file', file]);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'ok', '--chain', 'gated']);
    await watch.waitFor((e) => e.type === 'attention' && e.taskId === 1 && e.kind === 'chain_gate', 'the gate');

    watch.stop();
    expect((await sb.errand(['daemon', 'stop'])).code).toBe(0);
    const after = await sb.json(['show', '1']);
    expect(after.task).toMatchObject({ status: 'queued', waitReason: 'chain' });
    expect(after.task.waitDetail).toMatch(/^your approval to start step 2\/3 implement/);
    watch = await EventWatcher.start(sb);
    await sb.json(['chain', 'continue', '1']);
    await chainDone();
    expect(steps((await sb.json(['show', '1'])).runs)).toEqual([[0, 'succeeded'], [1, 'succeeded'], [2, 'succeeded']]);
  });

  it('killed in the middle of a step: the step is interrupted and the chain halts (fail closed) until the person goes on', async () => {
    const prompts = await stepperProfile(sb, 'stepper', 1);
    await sb.json(['add', 'add a --verbose flag', '--repo', repo, '--profile', 'stepper', '--chain', 'implement-review']);
    await waitUntil(() => existsSync(join(prompts, 'prompt-1.txt')), 'the review step to start');

    await killEngine();
    watch = await EventWatcher.start(sb);
    // Recovery at start marked the run interrupted (before this watcher subscribed), and the chain halted on it.
    await waitUntil(async () => (await sb.json(['chain', 'show', '1'])).state === 'halted', 'the chain to halt');
    const chain = await sb.json(['chain', 'show', '1']);
    expect(chain.steps.map((s: { status: string }) => s.status)).toEqual(['succeeded', 'interrupted']);
    expect((await sb.errand(['ls'])).stdout).toMatch(/step 2\/2 review \(chain halted\) · interrupted/);

    writeFileSync(`${prompts}.go`, '');
    await sb.json(['chain', 'continue', '1']);
    await chainDone();
    expect(steps((await sb.json(['show', '1'])).runs)).toEqual([[0, 'succeeded'], [1, 'interrupted'], [1, 'succeeded']]);
  });
});
