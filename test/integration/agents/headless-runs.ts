// Helpers for the Codex suite: a task's run as `errand show` has it, once it has
// really ended (its process gone), which is when `errand reply` starts a new run rather than finding a live one.
import type { RunInfo, TaskInfo } from '../../../shared/domain.js';
import type { AgentWorld } from '../../support/agent-cli.js';

export const FINAL = ['succeeded', 'failed', 'needs_input', 'unknown', 'cancelled', 'interrupted'];

export async function show(world: AgentWorld, taskId: number): Promise<{ task: TaskInfo; runs: RunInfo[] }> {
  return world.sb.json(['show', String(taskId)]);
}

/** The run once its process has gone (a verdict can come before the exit, as with Codex's turn.completed). */
export async function ended(world: AgentWorld, taskId: number, runId: number, timeoutMs = 45_000): Promise<RunInfo> {
  await world.watch.ended(runId, timeoutMs);
  return (await show(world, taskId)).runs.find((r) => r.id === runId)!;
}

/** Files a task and waits for its first run to end; returns the run.status event that gave its verdict, and the run. */
export async function runTask(world: AgentWorld, prompt: string, profile: string, timeoutMs?: number) {
  const task = await world.sb.json<TaskInfo>(['add', prompt, '--repo', world.repo, '--profile', profile]);
  return { taskId: task.id, ...(await verdictOf(world, task.id, task.run!.id, timeoutMs)) };
}

/** `errand reply` to an ended task, and the new run's verdict once it has ended. */
export async function reply(world: AgentWorld, taskId: number, message: string, timeoutMs?: number) {
  const task = await world.sb.json<TaskInfo>(['reply', String(taskId), message]);
  return { replied: task.run!, ...(await verdictOf(world, taskId, task.run!.id, timeoutMs)) };
}

async function verdictOf(world: AgentWorld, taskId: number, runId: number, timeoutMs = 45_000) {
  const verdict = await world.watch.waitFor<Extract<(typeof world.watch.events)[number], { type: 'run.status' }>>(
    (e) => e.type === 'run.status' && e.runId === runId && FINAL.includes(e.status),
    `a verdict for run ${runId} of task ${taskId}`,
    timeoutMs,
  );
  return { verdict, run: await ended(world, taskId, runId, timeoutMs) };
}

/** The statuses a run went through, in order. */
export function statuses(world: AgentWorld, runId: number): string[] {
  // A verdict is announced at once and again when the process has gone: count a repeated status once.
  const all = world.watch.events.flatMap((e) => (e.type === 'run.status' && e.runId === runId ? [e.status] : []));
  return all.filter((status, i) => status !== all[i - 1]);
}
