// Helpers for the agent conformance suites: a real CLI, run by the real engine, against the scripted model server.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunInfo, TaskInfo } from '../../../shared/domain.js';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { EDIT_DONE_TEXT, NOTE_CONTENT, NOTE_FILE, PERMIT_DONE_TEXT, PERMIT_FILE, PLAIN_TEXT } from '../../fixtures/model-server.mjs';
import type { RecordedRequest } from '../../fixtures/model-server.mjs';
import type { AgentWorld } from '../../support/agent-cli.js';

export type RunStatusEvent = Extract<EngineEvent, { type: 'run.status' }>;

export interface Conformance {
  /** Files a task with the profile; returns its id. */
  add(prompt: string, profile: string): Promise<number>;
  /** The first run.status event for this task (and run, when given) with one of these statuses. */
  status(taskId: number, statuses: string | string[], options?: { runId?: number; timeoutMs?: number }): Promise<RunStatusEvent>;
  show(taskId: number): Promise<{ task: TaskInfo; runs: RunInfo[] }>;
  /**
   * `show` once the task's last run has fully ended. A verdict is announced as soon as the agent's output gives it;
   * the process exit and the final count of changed files come a moment later, announced with `ended`.
   */
  settled(taskId: number): Promise<{ task: TaskInfo; runs: RunInfo[] }>;
  /** The statuses a task's runs went through, in order, repeats folded (to show a run never claimed something else). */
  statuses(taskId: number): string[];
  /** Files a task and waits for its first run's verdict and end: the run.status event that gave it, and the run. */
  run(prompt: string, profile: string, timeoutMs?: number): Promise<{ taskId: number; verdict: RunStatusEvent; run: RunInfo }>;
  /** `errand reply` to a task whose run has ended, then the new run's verdict and end. */
  reply(taskId: number, message: string, timeoutMs?: number): Promise<{ replied: RunInfo; verdict: RunStatusEvent; run: RunInfo }>;
  /**
   * The follow-up case: a plain answer with `profile` (an errand-plain one), then `errand reply` at once, as a person
   * answering the notification would while the finished agent may still be on its way out. Checks that the reply ran
   * in the same agent session and worktree, and that the model saw both of the person's messages, in order. Returns
   * both runs and the model request of the follow-up, for what each CLI adds.
   */
  followUp(profile: string): Promise<{ first: RunInfo; second: RunInfo; request: RecordedRequest }>;
  /** The plain case: `prompt` with `profile` (an errand-plain one) succeeds with the answer, a session id and token use. */
  answered(prompt: string, profile: string): Promise<RunInfo>;
  /** The edit case: `profile` (an errand-edit one) writes the note in the task's worktree, and succeeds saying so. */
  edited(profile: string): Promise<{ taskId: number; run: RunInfo }>;
  /**
   * The shell case through a built-in profile: `profile` (an errand-permission one) runs its command because the
   * profile's `flags` allow the shell, and succeeds having made the file.
   */
  ranShell(profile: string, flags: string[]): Promise<RunInfo>;
}

const VERDICTS = ['succeeded', 'failed', 'needs_input', 'unknown', 'cancelled', 'interrupted'];
/** The reason of a succeeded run that left its worktree as it found it. */
export const NO_CHANGES = 'no changes in the worktree';

export function conformance(world: AgentWorld): Conformance {
  const { sb, watch, repo } = world;
  /** A run's verdict, then the run once its process has gone (a verdict can come first, as with Codex's turn.completed). */
  const verdictOf = async (taskId: number, runId: number, timeoutMs = 45_000) => {
    const verdict = await watch.waitFor<RunStatusEvent>(
      (e) => e.type === 'run.status' && e.runId === runId && VERDICTS.includes(e.status),
      `a verdict for run ${runId} of task ${taskId}`,
      timeoutMs,
    );
    await watch.ended(runId, timeoutMs);
    const { runs } = await sb.json<{ runs: RunInfo[] }>(['show', String(taskId)]);
    return { verdict, run: runs.find((r) => r.id === runId)! };
  };
  return {
    async add(prompt, profile) {
      const task = await sb.json<TaskInfo>(['add', prompt, '--repo', repo, '--profile', profile]);
      return task.id;
    },
    status(taskId, statuses, options = {}) {
      const wanted = Array.isArray(statuses) ? statuses : [statuses];
      return watch.waitFor<RunStatusEvent>(
        (e) => e.type === 'run.status' && e.taskId === taskId && wanted.includes(e.status) && (options.runId === undefined || e.runId === options.runId),
        `task ${taskId}${options.runId === undefined ? '' : ` run ${options.runId}`} ${wanted.join('|')}`,
        options.timeoutMs ?? 45_000,
      );
    },
    show(taskId) {
      return sb.json(['show', String(taskId)]);
    },
    async settled(taskId) {
      const { runs } = await sb.json<{ task: TaskInfo; runs: RunInfo[] }>(['show', String(taskId)]);
      // The last run that started: a transient failure's retry waits, queued, for its backoff.
      await watch.ended(runs.filter((r) => r.status !== 'queued').at(-1)!.id, 20_000);
      return sb.json(['show', String(taskId)]);
    },
    statuses(taskId) {
      // A verdict is announced at once and again when the process has gone: count a repeated status once.
      const all = watch.events.flatMap((e) => (e.type === 'run.status' && e.taskId === taskId ? [e.status] : []));
      return all.filter((status, i) => status !== all[i - 1]);
    },
    async run(prompt, profile, timeoutMs) {
      const task = await sb.json<TaskInfo>(['add', prompt, '--repo', repo, '--profile', profile]);
      return { taskId: task.id, ...(await verdictOf(task.id, task.run!.id, timeoutMs)) };
    },
    async reply(taskId, message, timeoutMs) {
      const task = await sb.json<TaskInfo>(['reply', String(taskId), message]);
      return { replied: task.run!, ...(await verdictOf(taskId, task.run!.id, timeoutMs)) };
    },
    async answered(prompt, profile) {
      const id = await this.add(prompt, profile);
      await this.status(id, 'succeeded');
      const { task, runs } = await this.settled(id);
      expect(task.status).toBe('succeeded');
      // An answer changes nothing, and says so: information, not a failure.
      expect(runs[0]).toMatchObject({ status: 'succeeded', resultText: PLAIN_TEXT, reason: NO_CHANGES });
      expect(runs[0]!.sessionId).toBeTruthy();
      expect(runs[0]!.progress).toMatchObject({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
      return runs[0]!;
    },
    async edited(profile) {
      const id = await this.add('Write the note.', profile);
      await this.status(id, 'succeeded');
      const run = (await this.settled(id)).runs[0]!;
      expect(readFileSync(join(run.worktree!, NOTE_FILE), 'utf8')).toBe(NOTE_CONTENT);
      expect(run).toMatchObject({ resultText: EDIT_DONE_TEXT, reason: null });
      expect(run.progress.filesChanged).toBe(1);
      return { taskId: id, run };
    },
    async ranShell(profile, flags) {
      const id = await this.add('Touch the file.', profile);
      await this.status(id, ['succeeded', 'needs_input', 'failed']);
      const run = (await this.settled(id)).runs[0]!;
      expect(run.command).toEqual(expect.arrayContaining(flags));
      expect(run).toMatchObject({ status: 'succeeded', resultText: PERMIT_DONE_TEXT, reason: null });
      expect(existsSync(join(run.worktree!, PERMIT_FILE))).toBe(true);
      return run;
    },
    async followUp(profile) {
      const [ask, again] = ['First question: what is the answer?', 'Second question: say it again.'];
      const id = await this.add(ask, profile);
      await this.status(id, 'succeeded');
      const replied = await sb.json<TaskInfo>(['reply', String(id), again]);
      const first = (await this.show(id)).runs[0]!;
      expect(first.sessionId).toBeTruthy();
      expect(replied.run).toMatchObject({ attempt: 2, kind: 'reply', sessionId: first.sessionId });
      await this.status(id, 'succeeded', { runId: replied.run!.id });
      const second = (await this.show(id)).runs[1]!;
      expect(second).toMatchObject({ status: 'succeeded', sessionId: first.sessionId, resultText: PLAIN_TEXT, worktree: first.worktree });
      const request = world.server.requests.find((r) => r.model === 'errand-plain' && !r.side && r.prompt === again);
      // Some CLIs put context of their own first (Qwen: the environment): the person's messages are the last two.
      expect(request?.history?.slice(-2)).toEqual([ask, again]);
      return { first, second, request: request! };
    },
  };
}
