import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { groupMembers, isAlive, killAll, processesIn, waitUntil } from '../../support/processes.js';
import { Sandbox } from '../../support/sandbox.js';

describe('the engine killed with SIGKILL', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  const leftovers: number[] = [];

  beforeEach(async () => ({ sb, watch } = await startWatchedEngine()));
  afterEach(async () => {
    killAll(leftovers);
    await stopWatchedEngine({ sb, watch });
  });

  it('restarts on the next command, marks its runs interrupted with their logs, leaves no agent behind, and keeps every task and setting', async () => {
    const repo = sb.repo();
    await sb.json(['repo', 'add', repo, '--max-running', '2']);
    expect((await sb.json(['config', 'set', 'max-running', '3'])).maxRunning).toBe(3);
    const grandchildA = join(sb.root, 'grandchild-a.pid');
    const grandchildB = join(sb.root, 'grandchild-b.pid');
    // One agent dies of the hangup when its terminal goes; the other ignores it. Both leave a grandchild that ignores it.
    await sb.fakeProfile('plain', ['grandchild', grandchildA, 'say', 'hello from one', 'sleep', '600000']);
    await sb.fakeProfile('stubborn', ['ignore-signals', 'grandchild', grandchildB, 'say', 'hello from two', 'sleep', '600000']);
    await sb.fakeProfile('quick', ['say', 'the queued one ran', 'exit', '0']);
    await sb.json(['add', 'first', '--repo', repo, '--profile', 'plain']);
    await sb.json(['add', 'second', '--repo', repo, '--profile', 'stubborn', '--priority', '5']);
    await sb.json(['add', 'third', '--repo', repo, '--profile', 'quick']);
    await watch.status(1, 'running');
    await watch.status(2, 'running');

    // Everything they printed is in the log before the engine dies.
    await waitUntil(async () => (await sb.errand(['logs', '1'])).stdout.includes('hello from one'), 'task 1 output in its log');
    await waitUntil(async () => (await sb.errand(['logs', '2'])).stdout.includes('hello from two'), 'task 2 output in its log');
    await waitUntil(() => existsSync(grandchildA) && existsSync(grandchildB), 'both grandchildren to start');

    const before = await sb.json(['ls']);
    expect(before.tasks.find((t: any) => t.id === 3)).toMatchObject({ status: 'queued', waitReason: 'repo_cap' });
    const runs = await Promise.all([1, 2].map(async (id) => (await sb.json(['show', String(id)])).runs[0]));
    const agentPids: number[] = runs.map((r: any) => r.pid);
    const grandchildPids = [grandchildA, grandchildB].map((f) => Number(readFileSync(f, 'utf8')));
    leftovers.push(...agentPids, ...grandchildPids);
    for (const pid of [...agentPids, ...grandchildPids]) expect(isAlive(pid)).toBe(true);
    const daemon = await sb.json(['daemon', 'status']);
    expect(daemon.up).toBe(true);

    process.kill(daemon.pid, 'SIGKILL');
    await waitUntil(() => !isAlive(daemon.pid), 'the engine to die');

    // Any command brings the engine back.
    const after = await sb.json(['ls']);
    const restarted = await sb.json(['daemon', 'status']);
    expect(restarted.up).toBe(true);
    expect(restarted.pid).not.toBe(daemon.pid);

    for (const id of [1, 2]) {
      const detail = await sb.json(['show', String(id)]);
      expect(detail.runs).toHaveLength(1);
      expect(detail.runs[0].status).toBe('interrupted');
      expect(detail.runs[0].reason).toMatch(/engine stopped unexpectedly/);
      expect(detail.runs[0].pid).toBeNull();
      expect(detail.runs[0].endedAt).toEqual(expect.any(Number));
    }
    expect((await sb.errand(['logs', '1'])).stdout).toContain('hello from one');
    expect((await sb.errand(['logs', '2'])).stdout).toContain('hello from two');

    // Nothing of either run survives: not the agents, not their grandchildren, not anything else in their groups.
    await expectGone(sb, [...agentPids, ...grandchildPids], agentPids);

    // Tasks and settings are as they were.
    const keep = (t: any) => ({ id: t.id, prompt: t.prompt, repoPath: t.repoPath, profile: t.profile, priority: t.priority, createdAt: t.createdAt });
    expect(after.tasks.map(keep).sort((a: any, b: any) => a.id - b.id)).toEqual(before.tasks.map(keep).sort((a: any, b: any) => a.id - b.id));
    expect((await sb.json(['config', 'get'])).maxRunning).toBe(3);
    expect((await sb.json(['repo', 'ls']))[0]).toMatchObject({ maxRunning: 2 });
    expect((await sb.json(['profile', 'ls'])).map((p: any) => p.name).sort()).toEqual(['plain', 'quick', 'stubborn']);

    // The queued task runs once the interrupted ones no longer hold the repo's slots.
    const third = await waitUntil(async () => {
      const detail = await sb.json(['show', '3']);
      return ['succeeded', 'failed'].includes(detail.task.status) ? detail : null;
    }, 'task 3 to finish');
    expect(third.task.status).toBe('succeeded');
    expect((await sb.errand(['logs', '3'])).stdout).toContain('the queued one ran');
  });

  it('kills what a run left behind when its agent exited while the engine was down', async () => {
    const repo = sb.repo();
    const pidfile = join(sb.root, 'grandchild.pid');
    const go = join(sb.root, 'go');
    await sb.fakeProfile('leaver', ['grandchild', pidfile, 'say', 'left a child', 'wait-file', go, 'exit', '0']);
    await sb.json(['add', 'leave a child', '--repo', repo, '--profile', 'leaver']);
    await watch.status(1, 'running');
    await waitUntil(async () => (await sb.errand(['logs', '1'])).stdout.includes('left a child'), 'the output in the log');
    const agentPid: number = (await sb.json(['show', '1'])).runs[0].pid;
    const grandchildPid = Number(readFileSync(pidfile, 'utf8'));
    leftovers.push(agentPid, grandchildPid);
    const daemon = await sb.json(['daemon', 'status']);

    process.kill(daemon.pid, 'SIGKILL');
    await waitUntil(() => !isAlive(daemon.pid), 'the engine to die');
    writeFileSync(go, '');
    await waitUntil(() => !isAlive(agentPid), 'the agent to exit on its own');
    expect(isAlive(grandchildPid)).toBe(true);

    await sb.json(['ls']);
    const detail = await sb.json(['show', '1']);
    expect(detail.runs[0]).toMatchObject({ status: 'interrupted', pid: null });
    expect((await sb.errand(['logs', '1'])).stdout).toContain('left a child');
    await expectGone(sb, [agentPid, grandchildPid], [agentPid]);
  });
});

/** Nothing of a run survives: not the given processes, not anything else in their groups or in the sandbox's worktrees. */
async function expectGone(sb: Sandbox, pids: number[], groups: number[]): Promise<void> {
  // SIGKILL has been sent by the time the engine answers; give the kernel a moment to act on it.
  await waitUntil(() => pids.every((pid) => !isAlive(pid)), 'every agent process to be gone', 5000).catch(() => {});
  for (const pid of pids) expect(isAlive(pid), `pid ${pid} should be gone`).toBe(false);
  for (const pgid of groups) expect(groupMembers(pgid), `process group ${pgid} should be empty`).toEqual([]);
  expect(processesIn(join(sb.dataDir, 'worktrees'))).toEqual([]);
}
