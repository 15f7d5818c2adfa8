// Owns the live runs: starts them, routes input and subscriptions, records every status change.
import type { AdapterId, DecisionRule, PermissionRequest, ProfileInfo, RunInfo, RunStatus, TaskInfo } from '../../shared/domain.js';
import type { RuleTarget } from './decisions/rules-store.js';
import type { AgentAdapter } from './agents/adapter.js';
import { isLiveStatus } from '../../shared/domain.js';
import { dataDirLayout, runFiles } from '../../shared/data-dir.js';
import type { AttentionKind } from '../../shared/protocol/events.js';
import { ErrandError } from '../../shared/protocol/errors.js';
import { adapterFor } from './agents/registry.js';
import { checkPlanFor, createFollowUp, sendBackFor, unsentSendBacks } from './check-follow-up.js';
import type { EventHub } from './event-hub.js';
import { ProgressEvents } from './progress-events.js';
import { promptWithFeedback } from './review/feedback-prompt.js';
import { failureReason } from './runner/failure-reason.js';
import { RunSession } from './runner/run-session.js';
import type { Store } from './store/store.js';
import type { RunUpdate } from './store/runs-store.js';
import type { Worktrees } from './worktrees/worktrees.js';

/** At most one activity event per run in this interval. */
export const ACTIVITY_INTERVAL_MS = 250;

const ATTENTION: Partial<Record<RunStatus, AttentionKind>> = {
  needs_input: 'needs_input',
  failed: 'failed',
  succeeded: 'finished',
  interrupted: 'interrupted',
};

export class RunManager {
  private readonly sessions = new Map<number, RunSession>();
  private readonly repoOfRun = new Map<number, number>();
  private readonly activityTimers = new Map<number, NodeJS.Timeout>();
  private readonly latestLogBytes = new Map<number, number>();
  private readonly progressEvents = new ProgressEvents((event) => this.hub.emit(event));
  /** Per run, where its log index stops and when that stretch began, when the disk refused to index the last chunk. */
  private readonly unindexed = new Map<number, { offset: number; at: number }>();
  /** Called whenever a run ends, so queued work can start. */
  onRunEnded: () => void = () => {};
  /** A run failed: true when something takes it up without the person (a retry policy), so no attention is raised. */
  onFailed: (run: RunInfo) => boolean = () => false;
  /** Where detection found an adapter's CLI. */
  binaryFor: (adapter: AdapterId) => Promise<string | null> = async () => null;
  /** The profile pointed at its model backend, when it names one. */
  wireBackend: (profile: ProfileInfo) => Promise<ProfileInfo> = async (profile) => profile;
  /** A chain step's prompt, when the run works on one: it takes the place of the task's prompt. */
  stepPrompt: (run: RunInfo) => string | null = () => null;
  /** Whether the repo's check runs on this run's result (a chain checks only the result of its last step). */
  checksRun: (run: RunInfo) => boolean = () => true;
  /** Whether a run's end is taken on by the engine, not the person (a chain going on, or raising its own item). */
  endTakenOn: (run: RunInfo) => boolean = () => false;
  /** The remembered rule that allows a run's permission request (DecisionsService.autoAllow). */
  allowedByRule: (target: RuleTarget & { runId: number }, request: PermissionRequest) => DecisionRule | null = () => null;

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly worktrees: Worktrees,
    private readonly dataDir: string,
  ) {
    store.runs.pending.onHeld = (runId, error) =>
      console.error(`[engine] could not store run ${runId}'s change yet (${error.message}): kept in memory, retrying`);
    store.runs.pending.onLanded = (runId) => {
      console.error(`[engine] stored run ${runId}'s changes held while the disk was full`);
      const run = store.runs.byId(runId);
      if (run) hub.emit({ type: 'run.saved', taskId: run.taskId, runId, at: Date.now() });
    };
  }

  get liveCount(): number {
    return this.sessions.size;
  }

  liveCountForRepo(repoId: number): number {
    let n = 0;
    for (const r of this.repoOfRun.values()) if (r === repoId) n++;
    return n;
  }

  session(taskId: number): RunSession {
    const task = this.store.tasks.byId(taskId);
    if (!task) throw new ErrandError('not_found', `There is no task ${taskId}. \`errand ls\` lists them.`);
    const session = task.run ? this.sessions.get(task.run.id) : undefined;
    if (!session) {
      throw new ErrandError('not_running', `Task ${taskId} is ${task.status}: it has no live run. \`errand logs ${taskId}\` shows its output.`);
    }
    return session;
  }

  liveSession(runId: number): RunSession | undefined {
    return this.sessions.get(runId);
  }

  /** Makes everything a live run printed so far readable from its log. */
  flushIfLive(runId: number): void {
    this.sessions.get(runId)?.output.flush();
  }

  start(task: TaskInfo): void {
    const run = task.run!;
    const repo = this.store.repos.byId(task.repoId)!;
    // An escalated attempt runs with the profile its retry policy chose.
    const profile = this.store.profiles.byId(run.profileId ?? this.store.tasks.profileId(task.id)!)!;
    const earlier = this.store.runs.forTask(task.id).filter((r) => r.id < run.id);
    const place = this.worktrees.placeFor(repo, task, earlier);
    this.repoOfRun.set(run.id, repo.id);
    const previous = earlier.at(-1);
    const adapter = adapterFor(profile.adapter);
    const prompt = this.stepPrompt(run) ?? task.prompt;
    let session: RunSession;
    try {
      session = new RunSession(
        {
          taskId: task.id,
          runId: run.id,
          kind: run.kind,
          // A start with a message is the person's feedback on a result, for a CLI with no session to continue.
          prompt: run.kind === 'start' ? promptWithFeedback(prompt, run.message) : (run.message ?? ''),
          sessionId: run.sessionId,
          previous: previous ? { status: previous.status, replyGrant: previous.replyGrant } : null,
          repo,
          profile,
          place,
          check: this.checksRun(run) ? checkPlanFor(repo) : null,
        },
        {
          worktrees: this.worktrees,
          files: runFiles(dataDirLayout(this.dataDir), run.id),
          update: (fields) => this.record(task.id, run.id, fields),
          indexChunk: (offset, length, at) => this.indexChunk(run.id, offset, length, at),
          onActivity: (logBytes) => this.activity(task.id, run.id, logBytes),
          detectedBinary: () => this.binaryFor(profile.adapter),
          wireBackend: (p) => this.wireBackend(p),
          onCheck: (command, check) => this.hub.emit({ type: 'run.check', taskId: task.id, runId: run.id, command, check, at: Date.now() }),
          sendBack: () => sendBackFor(this.store, repo.id, task.id, run.id, adapter),
          allowedByRule: (request) =>
            this.allowedByRule({ taskId: task.id, runId: run.id, repoId: repo.id, profileId: profile.id, adapter: profile.adapter }, request),
        },
      );
    } catch (error) {
      // Its files could not be made (a full disk): it fails now rather than stay queued and be started again and again.
      this.repoOfRun.delete(run.id);
      const reason = failureReason(error, "could not create the run's files");
      this.record(task.id, run.id, { status: 'failed', reason, pid: null, endedAt: Date.now() });
      return;
    }
    this.sessions.set(run.id, session);
    void session.done.finally(() => {
      this.sessions.delete(run.id);
      this.repoOfRun.delete(run.id);
      const timer = this.activityTimers.get(run.id);
      if (timer) clearTimeout(timer);
      this.activityTimers.delete(run.id);
      this.latestLogBytes.delete(run.id);
      this.unindexed.delete(run.id);
      this.followUpIfSentBack(run.id, adapter);
      this.onRunEnded();
    });
  }

  /**
   * Persists a run's change (held in memory and retried while the disk cannot take it) and announces it at once; a
   * status change also raises attention where the person is needed.
   */
  record(taskId: number, runId: number, fields: RunUpdate): void {
    const before = this.store.runs.byId(runId);
    try {
      this.store.runs.update(runId, fields);
    } catch (error) {
      console.error(`[engine] could not record run ${runId}: ${(error as Error).message}`);
    }
    try {
      if (fields.question) this.store.tasks.indexQuestion(taskId, fields.question);
    } catch (error) {
      console.error(`[engine] could not index the question of run ${runId} for search: ${(error as Error).message}`);
    }
    if (fields.progress && before && JSON.stringify(fields.progress) !== JSON.stringify(before.progress)) {
      this.progressEvents.changed(taskId, runId, fields.progress);
    }
    const questionChanged = fields.question !== undefined && fields.question !== before?.question;
    // A live run's reason says what holds it up ("retrying the model (attempt 3)"): a change is news too.
    const reasonChanged = fields.reason !== undefined && fields.reason !== before?.reason;
    // A verdict can come before the process has gone; its end is announced too, so clients know a reply starts afresh.
    const ended = fields.endedAt !== undefined && before?.endedAt === null;
    if (!before || !fields.status || (fields.status === before.status && !questionChanged && !reasonChanged && !ended)) return;
    const after: RunInfo = { ...before, ...this.store.runs.byId(runId) } as RunInfo;
    const at = Date.now();
    this.hub.emit({
      type: 'run.status',
      taskId,
      runId,
      status: fields.status,
      previous: before.status,
      reason: after.reason,
      question: after.question,
      exitCode: after.exitCode,
      ended: after.endedAt !== null,
      attempt: after.attempt,
      progress: after.progress,
      startedAt: after.startedAt,
      endedAt: after.endedAt,
      at,
    });
    const kind = ATTENTION[fields.status];
    // A check failure sent back to the agent is not the person's yet.
    if (kind && fields.status !== before.status && !after.check?.sentBack && !this.endTakenOn(after) && !this.takenUp(taskId, after, kind)) {
      const message = kind === 'needs_input' ? (after.question ?? 'waiting for input') : (after.reason ?? fields.status);
      this.hub.emit({ type: 'attention', taskId, runId, kind, message, at });
    }
  }

  /** What ended needs no person: a failure a retry takes up, or a scheduled run that found nothing. */
  private takenUp(taskId: number, run: RunInfo, kind: AttentionKind): boolean {
    if (kind === 'failed') return this.onFailed(run);
    return kind === 'finished' && this.store.tasks.byId(taskId)?.review === 'nothing_found';
  }

  /** At start: a check failure sent back just before an engine died still gets its follow-up, once. */
  sendBackUnsent(): void {
    for (const run of unsentSendBacks(this.store)) {
      const profile = this.store.profiles.byId(this.store.tasks.profileId(run.taskId)!)!;
      this.followUpIfSentBack(run.id, adapterFor(profile.adapter));
    }
  }

  private followUpIfSentBack(runId: number, adapter: AgentAdapter): void {
    const ended = this.store.runs.byId(runId);
    if (!ended?.check?.sentBack || ended.status !== 'failed') return;
    try {
      this.hub.emit({ type: 'run.created', run: createFollowUp(this.store, ended, adapter) });
    } catch (error) {
      console.error(`[engine] could not send run ${runId}'s failed check back to its agent: ${(error as Error).message}`);
      const message = `${ended.reason ?? 'check failed'}, but the follow-up run could not be made: ${(error as Error).message}`;
      this.hub.emit({ type: 'attention', taskId: ended.taskId, runId, kind: 'failed', message, at: Date.now() });
    }
  }

  async cancel(task: TaskInfo, reason: string): Promise<void> {
    const run = task.run;
    if (!run) return;
    const session = this.sessions.get(run.id);
    if (session) return session.cancel(reason);
    if (run.status === 'queued') this.record(task.id, run.id, { status: 'cancelled', reason, endedAt: Date.now() });
  }

  /** Stops every live run as `interrupted`, so it can be resumed later (engine shutdown). */
  async interruptAll(reason: string): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.cancel(reason, 'interrupted')));
  }

  isLive(run: RunInfo | null): boolean {
    return run !== null && (this.sessions.has(run.id) || isLiveStatus(run.status));
  }

  /** A chunk the disk refused is taken into the next one, so the index has no holes. */
  private indexChunk(runId: number, offset: number, length: number, at: number): void {
    const from = this.unindexed.get(runId) ?? { offset, at };
    let indexed = false;
    try {
      indexed = this.store.runs.indexChunk(runId, from.offset, offset + length - from.offset, from.at);
    } catch (error) {
      console.error(`[engine] could not index output of run ${runId}: ${(error as Error).message}`);
    }
    if (indexed) this.unindexed.delete(runId);
    else this.unindexed.set(runId, from);
  }

  private activity(taskId: number, runId: number, logBytes: number): void {
    this.latestLogBytes.set(runId, logBytes);
    if (this.activityTimers.has(runId)) return;
    this.hub.emit({ type: 'run.activity', taskId, runId, logBytes, at: Date.now() });
    this.activityTimers.set(
      runId,
      setTimeout(() => {
        this.activityTimers.delete(runId);
        const latest = this.latestLogBytes.get(runId);
        if (latest !== undefined && latest !== logBytes) this.activity(taskId, runId, latest);
      }, ACTIVITY_INTERVAL_MS),
    );
  }
}
