// Batches (many prompts filed as one group) and best-of groups (one prompt given to several profiles): filed in one
// transaction, so a refusal files nothing, and listed with how far each group has got.
import type { GroupKind, ProfileInfo, RepoInfo } from '../../../shared/domain.js';
import { FINAL_RUN_STATUSES } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { GroupDetail, GroupInfo, MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import type { Dependencies } from '../dependencies/dependencies.js';
import type { EventHub } from '../event-hub.js';
import type { Scheduler } from '../scheduler.js';
import type { Store } from '../store/store.js';
import type { TasksService } from '../tasks-service.js';
import { GroupsStore } from './groups-store.js';

const DEFAULT_GROUP_LIST_LIMIT = 50;

interface NewMember {
  prompt: string;
  profile: ProfileInfo;
  priority: number;
}

type BatchItem = MethodParams<'batch.create'>['tasks'][number];

const where = (item: BatchItem, index: number) => (item.line ? `line ${item.line}` : `task ${index + 1} of the batch`);

export class GroupsService {
  readonly groups: GroupsStore;

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly scheduler: Scheduler,
    private readonly tasks: TasksService,
    private readonly dependencies: Dependencies,
  ) {
    this.groups = new GroupsStore(store.db);
  }

  async createBatch(params: MethodParams<'batch.create'>): Promise<GroupInfo> {
    const members = params.tasks.map((item, index): NewMember => {
      const name = item.profile ?? params.profile;
      if (!name) throw new ErrandError('invalid_params', `${where(item, index)} names no profile: pass --profile, or give it one. Nothing was filed.`);
      return { prompt: item.prompt, profile: this.profile(name, ` (${where(item, index)})`), priority: item.priority ?? params.priority ?? 0 };
    });
    const repo = await this.repo(params.repo);
    return this.file('batch', repo, members);
  }

  async bestOf(params: MethodParams<'task.bestOf'>): Promise<GroupDetail> {
    const twice = params.profiles.find((name, i) => params.profiles.indexOf(name) !== i);
    if (twice) throw new ErrandError('invalid_params', `Profile "${twice}" is named twice; give each profile once. Nothing was filed.`);
    const members = params.profiles.map((name) => ({ prompt: params.prompt, profile: this.profile(name, ''), priority: params.priority ?? 0 }));
    const repo = await this.repo(params.repo);
    const group = this.file('best_of', repo, members, params);
    return this.show(group.id);
  }

  list(limit = DEFAULT_GROUP_LIST_LIMIT): GroupInfo[] {
    return this.groups.list(limit);
  }

  show(id: number): GroupDetail {
    const group = this.group(id);
    return { group, tasks: group.taskIds.map((taskId) => this.scheduler.withWaitReason(this.store.tasks.byId(taskId)!)) };
  }

  /** `errand batch retry <id> --failed`: a new run for each task of the group that ended without success. */
  retryFailed(id: number): MethodResults['batch.retry'] {
    const before = this.group(id);
    const failed = before.taskIds.filter((taskId) => {
      const status = this.store.tasks.byId(taskId)!.status;
      return status !== 'succeeded' && FINAL_RUN_STATUSES.includes(status);
    });
    if (failed.length === 0) {
      throw new ErrandError('conflict', `Group ${id} has no failed tasks to retry (${before.succeeded} of ${before.total} done, ${before.running + before.queued} not finished).`);
    }
    const runs = this.store.db.transaction(() => failed.map((taskId) => this.store.runs.create(taskId)))();
    for (const run of runs) this.hub.emit({ type: 'run.created', run });
    this.scheduler.poke();
    return { ...this.group(id), retried: failed };
  }

  private file(kind: GroupKind, repo: RepoInfo, members: NewMember[], prereqs?: { after?: number[]; afterMerge?: number[] }): GroupInfo {
    const { groupId, created } = this.store.db.transaction(() => {
      const groupId = this.groups.insert(kind);
      const created = members.map((m) => {
        const taskId = this.store.tasks.insert({ prompt: m.prompt, repoId: repo.id, profileId: m.profile.id, priority: m.priority, groupId });
        if (prereqs) this.dependencies.record(taskId, prereqs.after, prereqs.afterMerge);
        return { taskId, run: this.store.runs.create(taskId) };
      });
      return { groupId, created };
    })();
    // Their events are recorded in one commit too: hundreds of commits of one row each cost more than the filing.
    this.store.db.transaction(() => {
      this.hub.emit({ type: 'group.created', groupId, kind, taskIds: created.map((c) => c.taskId), at: Date.now() });
      for (const { taskId, run } of created) {
        this.hub.emit({ type: 'task.created', task: this.store.tasks.byId(taskId)! });
        this.hub.emit({ type: 'run.created', run });
      }
    })();
    // The answer does not wait for the agents to be started.
    this.scheduler.poke();
    return this.group(groupId);
  }

  private profile(name: string, place: string): ProfileInfo {
    const profile = this.store.profiles.byName(name);
    if (!profile) {
      throw new ErrandError('not_found', `There is no profile "${name}"${place}; nothing was filed. \`errand profile ls\` lists them.`);
    }
    return profile;
  }

  private async repo(path: string): Promise<RepoInfo> {
    return this.store.repos.byPath(path) ?? (await this.tasks.addRepo({ path }));
  }

  group(id: number): GroupInfo {
    const group = this.groups.byId(id);
    if (!group) throw new ErrandError('not_found', `There is no batch or best-of group ${id}. \`errand batch ls\` lists them.`);
    return group;
  }
}
