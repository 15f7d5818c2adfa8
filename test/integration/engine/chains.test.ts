// Chains: steps run one after another as runs of one task, in its one worktree, each launched when the last succeeds.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { waitUntil } from '../../support/processes.js';
import { Sandbox } from '../../support/sandbox.js';
import { stepEvents, stepperProfile } from '../../support/chain-helpers.js';

type Attention = Extract<EngineEvent, { type: 'attention' }>;

describe('chains', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
  });
  afterEach(async () => stopWatchedEngine({ sb, watch }));

  it('runs plan → critique → implement with a command profile: each step once, in one worktree, fed what the last left', async () => {
    const prompts = await stepperProfile(sb, 'stepper', 1);
    const task = await sb.json(['add', 'add a --verbose flag', '--repo', repo, '--profile', 'stepper', '--chain', 'plan-critique-implement']);
    expect(task.chain).toMatchObject({ template: 'plan-critique-implement', step: 1, of: 3, name: 'plan' });

    // The critique waits for a go-ahead: meanwhile the task shows where its chain is.
    await waitUntil(() => existsSync(join(prompts, 'prompt-1.txt')), 'the critique step to start');
    expect((await sb.errand(['ls'])).stdout).toMatch(/step 2\/3 critique · running/);
    expect((await sb.errand(['show', '1'])).stdout).toMatch(/chain {3}plan-critique-implement: step 2\/3 critique/);
    writeFileSync(`${prompts}.go`, '');

    await watch.waitFor((e) => e.type === 'task.review' && e.taskId === 1 && e.review === 'unreviewed', 'the task to be unreviewed');
    const { runs } = await sb.json(['show', '1']);
    expect(runs.map((r: { step: number; status: string }) => [r.step, r.status])).toEqual([[0, 'succeeded'], [1, 'succeeded'], [2, 'succeeded']]);
    expect(new Set(runs.map((r: { worktree: string }) => r.worktree)).size).toBe(1);
    expect(readdirSync(prompts).sort()).toEqual(['prompt-0.txt', 'prompt-1.txt', 'prompt-2.txt']);

    const [plan, critique, implement] = [0, 1, 2].map((n) => readFileSync(join(prompts, `prompt-${n}.txt`), 'utf8'));
    expect(plan).toContain('Write a plan for the task below into plan.md');
    expect(plan).toContain('add a --verbose flag');
    expect(critique).toContain('The plan (plan.md):\n1. parse\n2. print\n');
    expect(implement).toContain('The plan (plan.md):\n1. parse\n2. print\n');
    expect(implement).toContain('The critique:\nstep 1 done');

    expect(stepEvents(watch, 1)).toEqual([
      'plan:active', 'plan:succeeded', 'critique:active', 'critique:succeeded', 'implement:active', 'implement:succeeded',
    ]);
    // Only the chain's result is the person's: one "finished", no review of the steps between.
    const attention = watch.events.filter((e): e is Attention => e.type === 'attention' && e.taskId === 1);
    expect(attention.map((e) => e.kind)).toEqual(['finished']);
    const reviews = watch.events.filter((e) => e.type === 'task.review' && e.taskId === 1);
    expect(reviews).toHaveLength(1);
    const chain = await sb.json(['chain', 'show', '1']);
    expect(chain).toMatchObject({ state: 'done', position: 2 });
    expect((await sb.errand(['ls'])).stdout).toMatch(/step 3\/3 implement \(chain done\) · succeeded/);
    expect((await sb.json(['review', '1'])).summary).toBe('step 2 done');
  });

  it('halts on a failed step with one attention item; an edited step is run again and the chain goes on', async () => {
    await sb.fakeProfile('ok', ['say', 'planned it']);
    await sb.fakeProfile('broken', ['say', 'cannot critique', 'exit', '3']);
    const steps = join(sb.root, 'steps.txt');
    writeFileSync(steps, '# three steps\n[plan profile=ok]\nplan {{task}}\n\n[critique profile=broken]\ncritique: {{previous.summary}}\n\n[implement]\ndo {{task}} after {{steps.critique.summary}}\n');
    await sb.json(['chain', 'add', 'mine', '--file', steps]);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'ok', '--chain', 'mine']);

    const halted = await watch.waitFor<Attention>((e) => e.type === 'attention' && e.taskId === 1 && e.kind === 'chain_halted', 'the chain to halt');
    expect(halted.message).toMatch(/^step 2\/3 critique failed: exited with code 3\. The chain stopped there: errand chain continue 1/);
    const chain = await sb.json(['chain', 'show', '1']);
    expect(chain.state).toBe('halted');
    expect(chain.steps.map((s: { status: string }) => s.status)).toEqual(['succeeded', 'failed', 'pending']);
    expect((await sb.errand(['ls'])).stdout).toMatch(/step 2\/3 critique \(chain halted\) · failed/);
    // Fail closed: nothing after the failed step ran, and the failure raised the chain's item only.
    expect((await sb.json(['show', '1'])).runs).toHaveLength(2);
    expect(watch.events.filter((e) => e.type === 'attention' && e.taskId === 1).map((e) => (e as Attention).kind)).toEqual(['chain_halted']);

    await sb.json(['chain', 'edit', '1', '--step', 'critique', '--profile', 'ok', '--prompt', 'critique again: {{steps.plan.summary}}']);
    // A plain retry of the halted step runs it as edited too.
    await sb.json(['retry', '1']);
    await watch.waitFor((e) => e.type === 'chain.step' && e.taskId === 1 && e.state === 'done', 'the chain to finish');
    const { runs } = await sb.json(['show', '1']);
    expect(runs.map((r: { step: number; status: string }) => [r.step, r.status])).toEqual([[0, 'succeeded'], [1, 'failed'], [1, 'succeeded'], [2, 'succeeded']]);
    expect((await sb.errand(['logs', '1'])).stdout).toContain('planned it');
  });

  it('a gate waits for the person; skip passes a step over; a cancelled step halts the chain', async () => {
    await sb.fakeProfile('ok', ['say', 'done here']);
    await sb.fakeProfile('slow', ['sleep', '600000']);
    const steps = join(sb.root, 'steps.txt');
    writeFileSync(steps, '[plan]\nplan {{task}}\n[approve-me gate]\ngo on from {{previous.summary}}\n[extra profile=slow]\nmore\n[last]\nfinish {{task}}\n');
    await sb.json(['chain', 'add', 'gated', '--file', steps]);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'ok', '--chain', 'gated']);

    const gate = await watch.waitFor<Attention>((e) => e.type === 'attention' && e.taskId === 1 && e.kind === 'chain_gate', 'the gate');
    expect(gate.message).toMatch(/^step 2\/4 approve-me waits for your approval: errand chain continue 1/);
    const listed = (await sb.json(['ls'])).tasks[0];
    expect(listed).toMatchObject({ status: 'queued', waitReason: 'chain', waitDetail: 'your approval to start step 2/4 approve-me: errand chain continue 1' });
    expect((await sb.errand(['ls'])).stdout).toContain('queued (waiting: your approval to start step 2/4 approve-me');
    expect((await sb.json(['show', '1'])).task.review).toBeNull();

    await sb.json(['chain', 'continue', '1']);
    await watch.waitFor((e) => e.type === 'chain.step' && e.taskId === 1 && e.name === 'extra' && e.status === 'active', 'the third step');
    await watch.status(1, 'running');
    await sb.json(['cancel', '1']);
    await watch.waitFor((e) => e.type === 'attention' && e.taskId === 1 && e.kind === 'chain_halted', 'the halt');
    expect((await sb.json(['chain', 'show', '1'])).steps[2].status).toBe('cancelled');

    await sb.json(['chain', 'skip', '1']);
    await watch.waitFor((e) => e.type === 'chain.step' && e.taskId === 1 && e.state === 'done', 'the chain to finish');
    const chain = await sb.json(['chain', 'show', '1']);
    expect(chain.steps.map((s: { status: string }) => s.status)).toEqual(['succeeded', 'succeeded', 'skipped', 'succeeded']);
    expect((await sb.json(['show', '1'])).runs.map((r: { step: number }) => r.step)).toEqual([0, 1, 2, 3]);
  });

  it("runs the repo's check on the last step only, and a failure sent back to the agent carries that step on", async () => {
    await sb.json(['repo', 'add', repo, '--check', 'test -f fixed.txt || { echo "fixed.txt is missing"; exit 1; }', '--check-retries', '1']);
    await sb.fakeProfile('quiet', ['say', 'looked around']);
    await sb.fakeProfile('learns', ['edit-if-exists', 'tried.txt', 'fixed.txt', 'yes', 'edit', 'tried.txt', '1', 'say', 'done']);
    const file = join(sb.root, 'steps.txt');
    writeFileSync(file, '[look profile=quiet]\nlook at {{task}}\n[fix profile=learns]\nfix it: {{previous.summary}}\n');
    await sb.json(['chain', 'add', 'look-fix', '--file', file]);
    await sb.json(['add', 'make fixed.txt', '--repo', repo, '--chain', 'look-fix']);

    await watch.waitFor((e) => e.type === 'chain.step' && e.taskId === 1 && e.state === 'done', 'the chain to finish');
    const { runs } = await sb.json(['show', '1']);
    expect(runs.map((r: { step: number; status: string; check: { sentBack: boolean } | null }) => [r.step, r.status, r.check?.sentBack ?? null])).toEqual([
      [0, 'succeeded', null],
      [1, 'failed', true],
      [1, 'succeeded', false],
    ]);
    expect(stepEvents(watch, 1)).toEqual(['look:active', 'look:succeeded', 'fix:active', 'fix:active', 'fix:succeeded']);
    expect(watch.events.filter((e) => e.type === 'attention' && e.taskId === 1).map((e) => (e as Attention).kind)).toEqual(['finished']);
  });
});
