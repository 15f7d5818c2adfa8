// Maps each validated request to the code that serves it.
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { Method, MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import type { ValidRequest } from '../../../shared/protocol/messages.js';
import type { AgentsService } from '../agents-service.js';
import type { AttentionService } from '../attention/attention-service.js';
import type { BackendsService } from '../backends/backends-service.js';
import type { DecisionsService } from '../decisions/decisions-service.js';
import type { Engine } from '../engine.js';
import type { EventHub } from '../event-hub.js';
import type { RunManager } from '../run-manager.js';
import type { Connection } from '../rpc/connection.js';
import { defaultMaxRunning } from '../scheduler.js';
import type { Scheduler } from '../scheduler.js';
import type { Store } from '../store/store.js';
import type { ReviewService } from '../review/review-service.js';
import type { TasksService } from '../tasks-service.js';
import type { Timers } from '../timers.js';
import { checkCommandTemplate } from '../agents/command-adapter.js';
import { adapterFor } from '../agents/registry.js';
import { inboxHandlers } from './inbox-handlers.js';
import { groupHandlers } from './group-handlers.js';
import type { GroupHandlerDeps } from './group-handlers.js';
import { backendHandlers } from './backend-handlers.js';
import type { ChainService } from '../chains/chain-service.js';
import { chainHandlers } from './chain-handlers.js';
import { decisionHandlers } from './decision-handlers.js';
import { RunHandlers } from './run-handlers.js';
import { scheduleHandlers } from './schedule-handlers.js';
import type { RetryService } from '../retries/retry-service.js';
import type { ScheduleService } from '../schedules/schedule-service.js';
import { WebHandlers } from './web-handlers.js';
import { wsAcceptor } from '../rpc/ws-acceptor.js';
import type { TrainParts } from './train-handlers.js';
import { trainHandlers } from './train-handlers.js';

export interface RouterDeps {
  engine: Engine;
  store: Store;
  hub: EventHub;
  runs: RunManager;
  scheduler: Scheduler;
  tasks: TasksService;
  agents: AgentsService;
  review: ReviewService;
  decisions: DecisionsService;
  timers: Timers;
  attention: AttentionService;
  backends: BackendsService;
  chains: ChainService;
  schedules: ScheduleService;
  retries: RetryService;
  dataDir: string;
  groups: GroupHandlerDeps['groups'];
  dependencies: GroupHandlerDeps['dependencies'];
  trainParts: TrainParts;
}

type Handlers = {
  [M in Method]: (params: MethodParams<M>, connection: Connection) => MethodResults[M] | Promise<MethodResults[M]>;
};

export class RequestRouter {
  private readonly handlers: Handlers;
  private readonly runHandlers: RunHandlers;
  private readonly webHandlers: WebHandlers;

  constructor(private readonly deps: RouterDeps) {
    const { engine, store, hub, scheduler, tasks } = deps;
    const run = (this.runHandlers = new RunHandlers(store, deps.runs, deps.dataDir));
    const web = (this.webHandlers = new WebHandlers(() => engine.dispatcher, wsAcceptor()));
    const config = () => ({ maxRunning: scheduler.maxRunning(), defaultMaxRunning: defaultMaxRunning() });
    this.handlers = {
      'engine.status': () => engine.status(),
      'engine.stop': (p) => {
        engine.requestStop(p?.force ?? false);
        return { stopping: true };
      },
      'repo.add': (p) => tasks.addRepo(p),
      'repo.list': () => store.repos.list(),
      'profile.add': (p) => {
        const existing = store.profiles.byName(p.name);
        if (!p.replace && existing) {
          throw new ErrandError('conflict', `A profile named "${p.name}" exists. Pass --replace to change it.`);
        }
        // An agent CLI's extra arguments may carry {prompt} too (Qwen and Gemini expand them): the same rule holds.
        checkCommandTemplate(p.adapter === 'command' ? p.command : [p.binary ?? p.adapter, ...p.command]);
        if (p.backend) deps.backends.checkBinding(p.adapter, p.backend, p.model);
        // The built-in mode and the arguments that go with it are one choice: a profile naming its own mode takes neither.
        const defaults = p.permissionMode ? {} : (adapterFor(p.adapter).defaultOptions ?? {});
        const args = [...(defaults.args ?? []), ...(p.adapter !== 'command' ? p.command : [])];
        const options = {
          ...defaults,
          ...(p.model ? { model: p.model } : {}),
          ...(p.permissionMode ? { permissionMode: p.permissionMode } : {}),
          ...(p.binary ? { binary: p.binary } : {}),
          ...(p.backend ? { backend: p.backend } : {}),
          ...(p.modelUrlEnv ? { modelUrlEnv: p.modelUrlEnv } : {}),
          ...(args.length > 0 ? { args } : {}),
        };
        return store.profiles.upsert({
          name: p.name,
          adapter: p.adapter,
          command: p.adapter === 'command' ? p.command : [p.binary ?? p.adapter],
          env: p.env ?? {},
          secretEnv: p.secretEnv ?? {},
          needsInput: p.needsInput ?? null,
          options,
          builtin: false,
        });
      },
      'profile.list': () => store.profiles.list(),
      'profile.remove': (p) => {
        const profile = store.profiles.byName(p.name);
        if (!profile) throw new ErrandError('not_found', `There is no profile "${p.name}".`);
        if (store.profiles.isUsed(profile.id)) {
          throw new ErrandError('conflict', `Profile "${p.name}" is used by tasks (which keep it for retries), a chain step, a schedule or a retry ladder; it was kept.`);
        }
        store.profiles.remove(profile.id);
        return { removed: p.name };
      },
      'agents.list': async (p) => {
        const agents = p?.refresh || !deps.agents.probed ? await deps.agents.refresh() : deps.agents.current();
        return { agents, profiles: store.profiles.list() };
      },
      'config.get': config,
      'config.set': (p) => {
        store.settings.set(p.key, p.value);
        scheduler.poke();
        return config();
      },
      'task.add': (p) => tasks.add(p),
      'task.list': (p) => tasks.list(p),
      'task.search': (p) => tasks.search(p),
      'task.get': (p) => tasks.get(p.id),
      'task.cancel': (p) => tasks.cancel(p.id),
      'task.retry': (p) => tasks.retry(p.id),
      'task.clean': (p) => tasks.clean(p.id, p.force ?? false),
      'task.decide': (p) => (p.always ? deps.decisions.allowAlways(p.id, p.always) : tasks.decide(p)),
      'task.reply': (p) => tasks.reply(p),
      'task.resume': (p) => tasks.resume(p.id),
      'task.review': (p) => deps.review.review(p.id),
      'task.approve': (p) => deps.review.approve(p.id, p.action),
      'task.reject': (p) => deps.review.reject(p.id, p.feedback),
      'task.discard': (p) => deps.review.discard(p.id, p.force ?? false),
      'run.input': (p) => run.input(p),
      'run.resize': (p) => run.resize(p),
      'run.screen': (p) => run.screen(p),
      'run.readLog': (p) => run.readLog(p),
      'run.subscribe': (p, c) => run.subscribe(p, c),
      'run.unsubscribe': (p, c) => run.unsubscribe(p, c),
      'run.ack': (p, c) => run.ack(p, c),
      'events.subscribe': (_p, c) => {
        hub.watch(c);
        return { tasks: tasks.snapshot(), seq: hub.seq };
      },
      ...inboxHandlers(deps.attention),
      ...groupHandlers(deps),
      ...backendHandlers(deps.backends),
      ...chainHandlers(deps.chains),
      ...scheduleHandlers(deps.schedules, deps.retries),
      'web.serve': (p, c) => web.serve(p, c),
      ...decisionHandlers(deps.decisions),
      ...trainHandlers(deps.trainParts),
    };
  }

  async handle(request: ValidRequest, connection: Connection): Promise<unknown> {
    const handler = this.handlers[request.method] as (p: unknown, c: Connection) => unknown;
    return handler(request.params, connection);
  }

  disconnected(connection: Connection): void {
    this.deps.hub.unwatch(connection.id);
    this.runHandlers.disconnected(connection);
    this.webHandlers.disconnected(connection);
  }
}
