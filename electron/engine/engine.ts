// The engine's composition root: store, runs, scheduler and socket, wired once.
import { rmSync } from 'node:fs';
import type { DataDirLayout } from '../../shared/data-dir.js';
import { dataDirLayout } from '../../shared/data-dir.js';
import type { EngineStatus } from '../../shared/domain.js';
import { LIVE_RUN_STATUSES } from '../../shared/domain.js';
import { ErrandError } from '../../shared/protocol/errors.js';
import { AgentsService } from './agents-service.js';
import { AttentionService } from './attention/attention-service.js';
import { Dependencies } from './dependencies/dependencies.js';
import { BackendsService } from './backends/backends-service.js';
import { ChainService } from './chains/chain-service.js';
import { DecisionsService } from './decisions/decisions-service.js';
import { EventHub } from './event-hub.js';
import { GroupsService } from './groups/groups-service.js';
import { RequestRouter } from './handlers/request-router.js';
import { ownerOnlyDir, writeOwnerOnly } from './owner-only.js';
import { recoverRuns } from './recovery.js';
import { Collisions } from './review/collisions.js';
import { MergeTrains } from './review/merge-train.js';
import { ReviewService } from './review/review-service.js';
import { TrainCheck } from './review/train-check.js';
import { RunManager } from './run-manager.js';
import { Dispatcher } from './rpc/dispatcher.js';
import { SocketServer } from './rpc/socket-server.js';
import { Scheduler } from './scheduler.js';
import { Backups } from './store/backups.js';
import { openDatabase } from './store/database.js';
import { checkInChild, isCorruption, refuseRecordedDamage } from './store/integrity.js';
import { Store } from './store/store.js';
import { UnsavedRunsFile } from './store/unsaved-runs-file.js';
import { RetryService } from './retries/retry-service.js';
import { ScheduleService } from './schedules/schedule-service.js';
import { StartAt } from './schedules/start-at.js';
import { TasksService } from './tasks-service.js';
import { Timers } from './timers.js';
import { WorktreeGc } from './worktrees/gc.js';
import { Worktrees } from './worktrees/worktrees.js';

export const ENGINE_VERSION = '0.1.0';

export class Engine {
  readonly runs: RunManager;
  readonly scheduler: Scheduler;
  readonly timers: Timers;
  readonly agents: AgentsService;
  readonly attention: AttentionService;
  /** What waits on what: `dependencies.blockedBy(taskId)` is how much work a task holds up. */
  readonly dependencies: Dependencies;
  readonly chains: ChainService;
  /** Serves every client, whatever its transport. */
  readonly dispatcher: Dispatcher;
  private readonly collisions: Collisions;
  private readonly trains: MergeTrains;
  private readonly server: SocketServer;
  private readonly unsaved: UnsavedRunsFile;
  private readonly startedAt = Date.now();
  private stopping: Promise<void> | null = null;
  /** Resolves once the engine has shut down. */
  readonly stopped: Promise<void>;
  private resolveStopped!: () => void;
  private integrityCheck: { done: Promise<unknown>; cancel: () => void } | null = null;

  /** Opens the data directory's database (refusing a damaged or newer one), backing it up before a migration. */
  static async open(dataDir: string): Promise<Engine> {
    const layout = dataDirLayout(dataDir);
    refuseRecordedDamage(layout.damageMarker);
    const backups = new Backups(layout.backups);
    const { db, checked } = await openDatabase(layout.database, {
      backupBeforeMigration: (source, toVersion) => backups.beforeMigration(source, toVersion),
    });
    return new Engine(layout, new Store(db), backups, checked);
  }

  private constructor(
    readonly layout: DataDirLayout,
    readonly store: Store,
    private readonly backups: Backups,
    private readonly checkedAtOpen: boolean,
  ) {
    const dataDir = layout.root;
    ownerOnlyDir(layout.runs);
    ownerOnlyDir(layout.worktrees);
    this.unsaved = UnsavedRunsFile.open(this.layout.unsavedRuns);
    if (this.unsaved.problem) console.error(`[engine] ${this.unsaved.problem}; a run status the disk refuses is then kept in memory only`);
    this.store.runs.pending.keepIn(this.unsaved);
    const hub = new EventHub(this.store.events);
    this.timers = new Timers(this.store.timers);
    const worktrees = new Worktrees(this.layout.worktrees, () => this.store.settings.dataDirId());
    this.runs = new RunManager(this.store, hub, worktrees, dataDir);
    this.scheduler = new Scheduler(this.store, this.runs);
    this.runs.onRunEnded = () => this.scheduler.poke();
    // Before review: a chain takes a step's end on (and makes the next step's run) before review looks at the task.
    this.chains = new ChainService({ store: this.store, hub, runs: this.runs, scheduler: this.scheduler, dataDir });
    const startAt = new StartAt(this.store, this.timers, this.scheduler, hub);
    const tasks = new TasksService(this.store, hub, this.runs, this.scheduler, worktrees, this.chains, startAt);
    const schedules = new ScheduleService(this.store, hub, this.timers, tasks);
    const retries = new RetryService(this.store, hub, this.runs, this.scheduler, this.timers);
    this.agents = new AgentsService(this.store);
    this.runs.binaryFor = (adapter) => this.agents.binaryFor(adapter);
    const backends = new BackendsService(this.store, hub);
    this.runs.wireBackend = (profile) => backends.wire(profile);
    const decisions = new DecisionsService(this.store, hub, this.runs);
    this.runs.allowedByRule = (target, request) => decisions.autoAllow(target, request);
    const review = new ReviewService({ store: this.store, hub, runs: this.runs, scheduler: this.scheduler, tasks, worktrees, dataDir });
    this.attention = new AttentionService(this.store, hub, this.timers);
    const dependencies = (this.dependencies = new Dependencies(this.store, hub, this.scheduler));
    // The inbox ranks an item by the work waiting on its task: chain steps still to run, and dependent tasks.
    this.attention.addBlockedCounter((taskId) => this.chains.blockedBy(taskId));
    this.attention.addBlockedCounter((taskId) => dependencies.blockedBy(taskId));
    tasks.onCreate.push((taskId, params) => dependencies.record(taskId, params.after, params.afterMerge));
    const groups = new GroupsService(this.store, hub, this.scheduler, tasks, dependencies);
    this.collisions = new Collisions(this.store, hub, review, review.tmpDir);
    this.trains = new MergeTrains(this.store, hub, review, this.collisions, new TrainCheck(`${dataDir}/trains`));
    const gc = new WorktreeGc(this.store, worktrees, (id) => this.trains.isBusy(id));
    const router = new RequestRouter({
      engine: this,
      store: this.store,
      hub,
      runs: this.runs,
      scheduler: this.scheduler,
      tasks,
      agents: this.agents,
      review,
      decisions,
      timers: this.timers,
      attention: this.attention,
      backends,
      chains: this.chains,
      schedules,
      retries,
      dataDir,
      groups,
      dependencies,
      trainParts: { collisions: this.collisions, trains: this.trains, gc },
    });
    this.dispatcher = new Dispatcher((request, connection) =>
      router.handle(request, connection).catch((error: unknown) => {
        if (isCorruption(error)) this.checkIntegrity();
        throw error;
      }),
    );
    this.dispatcher.onDisconnect = (connection) => router.disconnected(connection);
    this.server = new SocketServer(this.dispatcher);
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
  }

  /** Marks runs a previous engine left behind, then starts serving. */
  async start(): Promise<void> {
    recoverRuns(this.store, this.layout, (taskId, runId, fields) => this.runs.record(taskId, runId, fields), this.unsaved.found);
    // What an earlier engine left there is in the database now, or held again.
    if (this.unsaved.found.size > 0) this.store.runs.pending.persist();
    this.runs.sendBackUnsent();
    this.chains.catchUp();
    rmSync(this.layout.socket, { force: true });
    await this.server.listen(this.layout.socket);
    writeOwnerOnly(this.layout.pidFile, `${process.pid}\n`);
    this.timers.start();
    this.scheduler.pass();
    this.collisions.start();
    this.trains.resume();
    if (!this.checkedAtOpen) this.checkIntegrity();
    this.backups.startDaily(this.store.db);
  }

  /**
   * Checks the database off the event loop (too big to check before starting, or SQLite met damage while serving).
   * Damage stops the engine: the check has recorded it, so no later start writes into the file either.
   */
  private checkIntegrity(): void {
    if (this.integrityCheck || this.stopping) return;
    const check = checkInChild(this.layout.root, 'quick');
    this.integrityCheck = check;
    check.done.then(
      (report) => {
        this.integrityCheck = null;
        if (report.ok) {
          console.error(`[engine] checked the database (quick_check, ${report.ms} ms): sound`);
          return;
        }
        console.error(`[engine] the database is damaged: ${report.problems.join('; ')}`);
        void this.stop(`the database is damaged (${report.problems[0]}); run errand db check, then errand db restore`);
      },
      (error: unknown) => {
        this.integrityCheck = null;
        if (!this.stopping) console.error(`[engine] could not check the database: ${(error as Error).message}`);
      },
    );
  }

  status(): EngineStatus {
    return {
      pid: process.pid,
      version: ENGINE_VERSION,
      dataDir: this.layout.root,
      startedAt: this.startedAt,
      clients: this.dispatcher.connections.size,
      running: this.runs.liveCount,
      queued: this.store.tasks.list(['queued'], 1).total,
      maxRunning: this.scheduler.maxRunning(),
      inbox: this.attention.count(),
    };
  }

  /**
   * Refuses while agents run unless forced; forced, it interrupts them (they can be resumed later). Also refuses, unless
   * forced, when run statuses the disk would not take could be lost with the engine.
   */
  requestStop(force: boolean): void {
    // Forced, it reads nothing: a damaged database must not keep the engine from stopping.
    const live = force ? 0 : this.store.runs.withStatus(LIVE_RUN_STATUSES).length;
    if (live > 0) {
      throw new ErrandError(
        'conflict',
        `${live} agent run(s) are live; stopping the engine would interrupt them. Wait, cancel them, or pass --force.`,
      );
    }
    const { pending } = this.store.runs;
    if (!force && pending.retryNow() > 0 && !pending.allKept) {
      throw new ErrandError(
        'disk_full',
        `The disk is full, so how ${pending.size} run(s) ended is not stored yet; stopping now would lose it. ` +
          'Free some space (the engine stores it within seconds), or pass --force.',
      );
    }
    setImmediate(() => void this.stop('the engine was stopped'));
  }

  /** A last try at what the disk would not take; what is left is said, and where it waits for the next start. */
  private reportUnsaved(): void {
    const { pending } = this.store.runs;
    const left = pending.retryNow();
    if (left === 0) return;
    console.error(
      `[engine] stopping with ${left} run change(s) the full disk would not take: ` +
        (pending.allKept
          ? `their final statuses are in ${this.layout.unsavedRuns}, and the next start stores them`
          : 'they are lost, and those runs will read as interrupted'),
    );
  }

  stop(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.integrityCheck?.cancel();
      this.timers.stop();
      this.attention.stop();
      await this.trains.stop();
      await this.runs.interruptAll(`interrupted: ${reason}`);
      this.dispatcher.closeAll(`${reason}; run any errand command to start it again`);
      await this.server.close();
      rmSync(this.layout.socket, { force: true });
      rmSync(this.layout.pidFile, { force: true });
      this.reportUnsaved();
      await this.backups.stop();
      this.store.close();
      this.unsaved.close();
      this.resolveStopped();
    })();
    return this.stopping;
  }
}
