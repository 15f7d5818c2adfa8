import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STOP_GRACE_MS } from '../../../electron/engine/runner/pty-process.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { groupMembers, isAlive, killAll, processesIn, waitUntil } from '../../support/processes.js';
import { Sandbox } from '../../support/sandbox.js';

describe('stopping an agent', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  const leftovers: number[] = [];

  beforeEach(async () => ({ sb, watch } = await startWatchedEngine()));
  afterEach(async () => {
    killAll(leftovers.splice(0));
    await stopWatchedEngine({ sb, watch });
  });

  /** Starts task 1 with these steps and waits until it has printed "ready" and, if asked, started its grandchild. */
  async function startAgent(steps: string[], grandchildPidfile?: string): Promise<{ agent: number; grandchild: number | null }> {
    const repo = sb.repo();
    await sb.fakeProfile('agent', steps);
    await sb.json(['add', 'work', '--repo', repo, '--profile', 'agent']);
    await watch.status(1, 'running');
    await waitUntil(async () => (await sb.errand(['logs', '1'])).stdout.includes('ready'), 'the agent to be ready');
    const agent: number = (await sb.json(['show', '1'])).runs[0].pid;
    leftovers.push(agent);
    if (!grandchildPidfile) return { agent, grandchild: null };
    await waitUntil(() => existsSync(grandchildPidfile) && readFileSync(grandchildPidfile, 'utf8') !== '', 'the grandchild to start');
    const grandchild = Number(readFileSync(grandchildPidfile, 'utf8'));
    leftovers.push(grandchild);
    return { agent, grandchild };
  }

  async function expectGone(pids: number[], group: number): Promise<void> {
    await waitUntil(() => pids.every((pid) => !isAlive(pid)), `${pids.join(', ')} to be gone`, 5000).catch(() => {});
    for (const pid of pids) expect(isAlive(pid), `pid ${pid} should be gone`).toBe(false);
    expect(groupMembers(group)).toEqual([]);
    expect(processesIn(join(sb.dataDir, 'worktrees'))).toEqual([]);
  }

  it('cancels an agent that ignores SIGHUP and SIGTERM, grandchild and all, with SIGKILL after the grace period', async () => {
    const pidfile = join(sb.root, 'grandchild.pid');
    const { agent, grandchild } = await startAgent(['ignore-signals', 'grandchild', pidfile, 'say', 'ready', 'sleep', '600000'], pidfile);
    expect(isAlive(agent) && isAlive(grandchild!)).toBe(true);

    const started = Date.now();
    const cancel = await sb.errand(['cancel', '1']);
    expect(cancel.code).toBe(0);
    const cancelled = await watch.status(1, 'cancelled');
    const took = cancelled.at - started;
    // Neither SIGHUP nor SIGTERM ended it: only the SIGKILL after the grace period did.
    expect(took).toBeGreaterThanOrEqual(STOP_GRACE_MS - 100);
    expect(took).toBeLessThan(STOP_GRACE_MS + 15_000);
    expect(cancelled.reason).toBeTruthy();
    await expectGone([agent, grandchild!], agent);
    expect((await sb.json(['show', '1'])).runs[0]).toMatchObject({ status: 'cancelled', pid: null });
  });

  it('cancels an agent that heeds SIGHUP at once, without waiting for the grace period', async () => {
    const { agent } = await startAgent(['say', 'ready', 'sleep', '600000']);
    const started = Date.now();
    await sb.errand(['cancel', '1']);
    const cancelled = await watch.status(1, 'cancelled');
    expect(cancelled.at - started).toBeLessThan(STOP_GRACE_MS);
    await expectGone([agent], agent);
  });

  it('leaves nothing behind when an agent exits on its own but its child would live on', async () => {
    const pidfile = join(sb.root, 'grandchild.pid');
    const go = join(sb.root, 'go');
    const { agent, grandchild } = await startAgent(['grandchild', pidfile, 'say', 'ready', 'wait-file', go, 'say', 'bye', 'exit', '0'], pidfile);
    expect(isAlive(grandchild!)).toBe(true);
    writeFileSync(go, '');
    await watch.status(1, 'succeeded');
    await expectGone([agent, grandchild!], agent);
    expect((await sb.errand(['logs', '1'])).stdout).toContain('bye');
  });
});
