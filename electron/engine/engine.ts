// The engine's composition root: store, runs, scheduler and socket, wired once.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { DataDirLayout } from '../../shared/data-dir.js';
import { dataDirLayout } from '../../shared/data-dir.js';
import type { EngineStatus } from '../../shared/domain.js';
import { LIVE_RUN_STATUSES } from '../../shared/domain.js';
import { ErrandError } from '../../shared/protocol/errors.js';
import { AgentsService } from './agents-service.js';
import { EventHub } from './event-hub.js';
import { RequestRouter } from './handlers/request-router.js';
import { recoverRuns } from './recovery.js';
import { RunManager } from './run-manager.js';
import { SocketServer } from './rpc/socket-server.js';
import { Scheduler } from './scheduler.js';
import { Store } from './store/store.js';
import { TasksService } from './tasks-service.js';
import { Worktrees } from './worktrees/worktrees.js';

export const ENGINE_VERSION = '0.1.0';

export class Engine {
  readonly layout: DataDirLayout;
  readonly store: Store;
  readonly runs: RunManager;
  readonly scheduler: Scheduler;
  readonly agents: AgentsService;
  private readonly server: SocketServer;
  private readonly startedAt = Date.now();
  private stopping: Promise<void> | null = null;
  /** Resolves once the engine has shut down. */
  readonly stopped: Promise<void>;
  private resolveStopped!: () => void;

  constructor(dataDir: string) {
    this.layout = dataDirLayout(dataDir);
    mkdirSync(this.layout.root, { recursive: true, mode: 0o700 });
    mkdirSync(this.layout.runs, { recursive: true, mode: 0o700 });
    this.store = Store.open(this.layout.database);
    const hub = new EventHub(this.store.events);
    const worktrees = new Worktrees(this.layout.worktrees);
    this.runs = new RunManager(this.store, hub, worktrees, dataDir);
    this.scheduler = new Scheduler(this.store, this.runs);
    this.runs.onRunEnded = () => this.scheduler.poke();
    const tasks = new TasksService(this.store, hub, this.runs, this.scheduler, worktrees);
    this.agents = new AgentsService(this.store);
    this.runs.binaryFor = (adapter) => this.agents.binaryFor(adapter);
    const router = new RequestRouter({
      engine: this,
      store: this.store,
      hub,
      runs: this.runs,
      scheduler: this.scheduler,
      tasks,
      agents: this.agents,
      dataDir,
    });
    this.server = new SocketServer((request, connection) => router.handle(request, connection));
    this.server.onDisconnect = (connection) => router.disconnected(connection);
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
  }

  /** Marks runs a previous engine left behind, then starts serving. */
  async start(): Promise<void> {
    this.store.db.transaction(() =>
      recoverRuns(this.store, this.layout, (taskId, runId, fields) => this.runs.record(taskId, runId, fields)),
    )();
    rmSync(this.layout.socket, { force: true });
    await this.server.listen(this.layout.socket);
    writeFileSync(this.layout.pidFile, `${process.pid}\n`, { mode: 0o600 });
    this.scheduler.pass();
  }

  status(): EngineStatus {
    return {
      pid: process.pid,
      version: ENGINE_VERSION,
      dataDir: this.layout.root,
      startedAt: this.startedAt,
      clients: this.server.connections.size,
      running: this.runs.liveCount,
      queued: this.store.tasks.list(['queued'], 1).total,
      maxRunning: this.scheduler.maxRunning(),
    };
  }

  /** Refuses while agents run unless forced; forced, it interrupts them (they can be resumed later). */
  requestStop(force: boolean): void {
    const live = this.store.runs.withStatus(LIVE_RUN_STATUSES).length;
    if (live > 0 && !force) {
      throw new ErrandError(
        'conflict',
        `${live} agent run(s) are live; stopping the engine would interrupt them. Wait, cancel them, or pass --force.`,
      );
    }
    setImmediate(() => void this.stop('the engine was stopped'));
  }

  stop(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      await this.runs.interruptAll(`interrupted: ${reason}`);
      await this.server.close(`${reason}; run any errand command to start it again`);
      rmSync(this.layout.socket, { force: true });
      rmSync(this.layout.pidFile, { force: true });
      this.store.close();
      this.resolveStopped();
    })();
    return this.stopping;
  }
}
