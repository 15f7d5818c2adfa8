// What the person can do to tasks: file one, cancel, retry, clean up its worktree, list and search.
import type { RepoInfo, TaskInfo } from '../../shared/domain.js';
import { isFinalStatus, LIVE_RUN_STATUSES } from '../../shared/domain.js';
import { MAX_LIST_LIMIT } from '../../shared/protocol/limits.js';
import { ErrandError } from '../../shared/protocol/errors.js';
import type { MethodParams, TaskDetail } from '../../shared/protocol/methods.js';
import type { EventHub } from './event-hub.js';
import type { RunManager } from './run-manager.js';
import type { Scheduler } from './scheduler.js';
import type { StartAt } from './schedules/start-at.js';
import type { Store } from './store/store.js';
import { adapterFor } from './agents/registry.js';
import { checkBaseBranch, checkRepo } from './worktrees/repo-check.js';
import { recordedPlace, safeRelative } from './worktrees/worktree-names.js';
import type { Worktrees } from './worktrees/worktrees.js';
import type { ChainService } from './chains/chain-service.js';

export const DEFAULT_LIST_LIMIT = 50;
const SNAPSHOT_RECENT = 100;

export class TasksService {
  /** What else a new task is filed with (its prerequisites, say): run in the transaction that files it; a throw files nothing. */
  readonly onCreate: ((taskId: number, params: MethodParams<'task.add'>) => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly runs: RunManager,
    private readonly scheduler: Scheduler,
    private readonly worktrees: Worktrees,
    private readonly chains: ChainService,
    private readonly startAt: StartAt,
  ) {}

  async addRepo(params: MethodParams<'repo.add'>): Promise<RepoInfo> {
    const checked = await checkRepo(params.path);
    const existing = this.store.repos.byPath(checked.root);
    const baseBranch = params.baseBranch ?? existing?.baseBranch ?? checked.currentBranch;
    if (!baseBranch) {
      throw new ErrandError(
        'repo_invalid',
        `${checked.root} is on a detached HEAD, so Errand cannot tell which branch to start from. Pass --base <branch>.`,
      );
    }
    await checkBaseBranch(checked.root, baseBranch);
    const copyFiles = (params.copyFiles ?? existing?.copyFiles ?? []).map(safeRelative);
    return this.store.repos.upsert({
      path: checked.root,
      name: checked.root.split('/').pop() || checked.root,
      baseBranch,
      setupCommand: params.setupCommand !== undefined ? params.setupCommand : (existing?.setupCommand ?? null),
      copyFiles,
      maxRunning: params.maxRunning !== undefined ? params.maxRunning : (existing?.maxRunning ?? null),
      mergeStrategy: params.mergeStrategy ?? existing?.mergeStrategy ?? 'squash',
      checkCommand: params.checkCommand !== undefined ? params.checkCommand : (existing?.checkCommand ?? null),
      checkRetries: params.checkRetries ?? existing?.checkRetries ?? 0,
      checkTimeoutMs: params.checkTimeoutMs !== undefined ? params.checkTimeoutMs : (existing?.checkTimeoutMs ?? null),
      deleteMergedBranches: params.deleteMergedBranches ?? existing?.deleteMergedBranches ?? true,
    });
  }

  /** Files a task; with `at`, held until then; `scheduleId` for one a schedule files. */
  async add(params: MethodParams<'task.add'>, scheduleId: number | null = null): Promise<TaskInfo> {
    // Checked before anything is stored: a chain that cannot run, or a time that cannot be read, leaves no task behind.
    const startAt = this.startAt.when(params.at, params.timeZone);
    const chain = params.chain ? this.chains.templates.plan(params.chain) : null;
    const first = chain?.steps[0]?.profileId;
    const profile = params.profile ? this.store.profiles.byName(params.profile) : first ? this.store.profiles.byId(first) : null;
    if (!params.profile && !profile) {
      throw new ErrandError('invalid_params', 'Say which profile runs the task: --profile NAME (`errand profile ls` lists them).');
    }
    if (!profile) {
      throw new ErrandError('not_found', `There is no profile "${params.profile}". \`errand profile ls\` lists them; \`errand profile add\` makes one.`);
    }
    const known = this.store.repos.byPath(params.repo);
    const repo = known ?? (await this.addRepo({ path: params.repo }));
    const { taskId, run } = this.store.db.transaction(() => {
      const taskId = this.store.tasks.insert({
        prompt: params.prompt,
        repoId: repo.id,
        profileId: profile.id,
        priority: params.priority ?? 0,
        timeZone: params.timeZone ?? null,
        scheduleId,
      });
      for (const step of this.onCreate) step(taskId, params);
      if (startAt !== null) this.startAt.hold(taskId, startAt);
      return { taskId, run: chain ? this.chains.start(taskId, chain, params.prompt) : this.store.runs.create(taskId) };
    })();
    const task = this.store.tasks.byId(taskId)!;
    this.hub.emit({ type: 'task.created', task });
    if (chain) this.chains.launched(run);
    else this.hub.emit({ type: 'run.created', run });
    this.scheduler.pass();
    return this.scheduler.withWaitReason(this.store.tasks.byId(taskId)!);
  }

  get(id: number): TaskDetail {
    const task = this.task(id);
    return { task: this.scheduler.withWaitReason(task), runs: this.store.runs.forTask(id) };
  }

  list(params: MethodParams<'task.list'>): { tasks: TaskInfo[]; total: number } {
    const { tasks, total } = this.store.tasks.list(params?.status, params?.limit ?? DEFAULT_LIST_LIMIT);
    return { tasks: tasks.map((t) => this.scheduler.withWaitReason(t)), total };
  }

  /** What a new client starts from: every task that is queued or live, and the most recent others. */
  snapshot(): TaskInfo[] {
    const byId = new Map<number, TaskInfo>();
    for (const t of this.store.tasks.list(['queued', ...LIVE_RUN_STATUSES], MAX_LIST_LIMIT).tasks) byId.set(t.id, t);
    for (const t of this.store.tasks.list(undefined, SNAPSHOT_RECENT).tasks) byId.set(t.id, t);
    return [...byId.values()].sort((a, b) => b.id - a.id).map((t) => this.scheduler.withWaitReason(t));
  }

  search(params: MethodParams<'task.search'>): { tasks: TaskInfo[] } {
    const tasks = this.store.tasks.search(params.query, params.limit ?? DEFAULT_LIST_LIMIT);
    return { tasks: tasks.map((t) => this.scheduler.withWaitReason(t)) };
  }

  async cancel(id: number): Promise<TaskInfo> {
    const task = this.task(id);
    if (task.run && isFinalStatus(task.run.status)) {
      throw new ErrandError('conflict', `Task ${id} already ended (${task.status}); there is nothing to cancel.`);
    }
    await this.runs.cancel(task, 'cancelled by you');
    this.scheduler.poke();
    return this.task(id);
  }

  retry(id: number): TaskInfo {
    const task = this.task(id);
    if (!task.run || !isFinalStatus(task.run.status)) {
      throw new ErrandError('conflict', `Task ${id} is ${task.status}; only a task that ended can be retried.`);
    }
    const run = this.store.runs.create(id);
    this.hub.emit({ type: 'run.created', run });
    this.scheduler.pass();
    return this.scheduler.withWaitReason(this.task(id));
  }

  async clean(id: number, force: boolean): Promise<{ removed: string[] }> {
    const task = this.task(id);
    if (this.runs.isLive(task.run)) {
      throw new ErrandError('conflict', `Task ${id} is ${task.status}; cancel it before removing its worktree.`);
    }
    // Only a place a run of this task claimed is its to remove: never a same-named branch someone else made.
    const place = recordedPlace(this.store.runs.forTask(id));
    if (!place) return { removed: [] };
    return { removed: await this.worktrees.remove(this.store.repos.byId(task.repoId)!, place, force) };
  }

  /** Allows or denies the tool the task's agent is waiting on. */
  decide(params: MethodParams<'task.decide'>): TaskInfo {
    const session = this.runs.session(params.id);
    session.decide(
      params.allow ? { behavior: 'allow' } : { behavior: 'deny', message: params.message ?? 'The person denied this. Do not try it again; find another way or stop.' },
    );
    return this.task(params.id);
  }

  /**
   * Answers a live agent in its session; for an agent that has finished, starts a run that continues the same agent
   * session with the message.
   */
  async reply(params: MethodParams<'task.reply'>): Promise<TaskInfo> {
    const task = this.task(params.id);
    const live = task.run ? this.runs.liveSession(task.run.id) : undefined;
    if (live?.checking) {
      throw new ErrandError('conflict', `Task ${params.id}'s agent is done and the repo's check is running on its result. Wait for it, or cancel the task.`);
    }
    if (live?.ending) {
      // Its turn is over (the person may already have seen it succeed) and its process is on the way out: let it go,
      // then continue the session in a new run rather than writing to a process that is being ended.
      await live.done;
      return this.continueSession(this.task(params.id), 'reply', params.message);
    }
    if (live) {
      if (task.run!.request) {
        // The adapter makes the words the answer to a question tool, or denies any other tool with them.
        live.decide({ behavior: 'answer', message: params.message });
        return this.task(params.id);
      }
      if (live.followUp(params.message)) return this.task(params.id);
      throw new ErrandError('conflict', `Task ${params.id} is still working and its agent takes no messages mid-turn. Wait for it, or cancel it.`);
    }
    return this.continueSession(task, 'reply', params.message);
  }

  /** Continues an interrupted (or otherwise ended) run's agent session where it stopped. */
  resume(id: number): TaskInfo {
    const task = this.task(id);
    if (this.runs.isLive(task.run)) throw new ErrandError('conflict', `Task ${id} is ${task.status}; there is nothing to resume.`);
    return this.continueSession(task, 'resume', 'Your previous session was interrupted. Continue the task from where you left off.');
  }

  continueSession(task: TaskInfo, kind: 'reply' | 'resume', message: string): TaskInfo {
    const sessionId = this.store.runs.forTask(task.id).reverse().find((r) => r.sessionId)?.sessionId ?? null;
    const adapter = adapterFor(this.store.profiles.byId(this.store.tasks.profileId(task.id)!)!.adapter);
    if (adapter.id === 'command') {
      throw new ErrandError('conflict', `Task ${task.id} runs a command profile, which has no agent session to continue. \`errand retry ${task.id}\` runs it again.`);
    }
    if (!sessionId && !adapter.continuesWithoutSession) {
      throw new ErrandError(
        'conflict',
        `Task ${task.id} has no agent session to continue (its agent never reported one). \`errand retry ${task.id}\` starts it over.`,
      );
    }
    const run = this.store.runs.create(task.id, kind, message, sessionId);
    this.hub.emit({ type: 'run.created', run });
    this.scheduler.pass();
    return this.scheduler.withWaitReason(this.task(task.id));
  }

  private task(id: number): TaskInfo {
    const task = this.store.tasks.byId(id);
    if (!task) throw new ErrandError('not_found', `There is no task ${id}. \`errand ls\` lists them.`);
    return task;
  }
}
