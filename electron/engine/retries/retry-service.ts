// Failed runs tried again without the person, per their profile's policy: a new run of the same task (its own log,
// the reason kept on it), held by a start gate until its backoff's persisted timer fires.
import type { RetryPolicy, TaskInfo, TaskWait, RunInfo } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { MethodParams } from '../../../shared/protocol/methods.js';
import type { EventHub } from '../event-hub.js';
import { formatWhen } from '../natural-time.js';
import type { RunManager } from '../run-manager.js';
import type { Scheduler } from '../scheduler.js';
import type { Store } from '../store/store.js';
import type { Timers } from '../timers.js';
import { PoliciesStore } from './policies-store.js';
import { DEFAULT_POLICY, nextAttempt } from './retry-plan.js';
import type { EffectivePolicy } from './retry-plan.js';

export const RETRY_TIMER = 'retry';

export class RetryService {
  private readonly policies: PoliciesStore;
  /** A retry made while the failed run's process was still ending: held until it has gone. */
  private readonly afterRun = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly runs: RunManager,
    private readonly scheduler: Scheduler,
    private readonly timers: Timers,
  ) {
    this.policies = new PoliciesStore(store.db);
    timers.on(RETRY_TIMER, () => scheduler.poke());
    scheduler.addGate((task) => this.wait(task));
    runs.onFailed = (run) => this.afterFailure(run);
  }

  setPolicy(p: MethodParams<'retry.setPolicy'>): RetryPolicy {
    const profile = this.profile(p.profile);
    const now = this.policies.get(profile.id) ?? DEFAULT_POLICY;
    const escalateTo = p.escalateTo === undefined ? now.escalateTo : p.escalateTo === null ? null : this.profile(p.escalateTo).id;
    if (escalateTo !== null) this.refuseLoop(profile.id, escalateTo);
    this.policies.set(profile.id, {
      retries: p.retries ?? now.retries,
      backoffMs: p.backoffMs ?? now.backoffMs,
      transientRetries: p.transientRetries ?? now.transientRetries,
      escalateTo,
    });
    const policy = this.policies.get(profile.id)!.info;
    this.hub.emit({ type: 'retry.policy', profile: profile.name, policy, at: Date.now() });
    return policy;
  }

  listPolicies(): { policies: RetryPolicy[] } {
    return { policies: this.policies.list() };
  }

  clearPolicy(name: string): { cleared: string } {
    const profile = this.profile(name);
    if (!this.policies.clear(profile.id)) throw new ErrandError('not_found', `Profile "${name}" has no retry policy; it has the default.`);
    this.hub.emit({ type: 'retry.policy', profile: name, policy: null, at: Date.now() });
    return { cleared: name };
  }

  /** A run failed: makes its next attempt, when the policy has one. True then: the person is not needed yet. */
  private afterFailure(failed: RunInfo): boolean {
    try {
      const task = this.store.tasks.byId(failed.taskId);
      if (!task || task.run?.id !== failed.id) return false;
      const taskProfileId = this.store.tasks.profileId(task.id)!;
      const next = nextAttempt({
        failed,
        runs: this.store.runs.forTask(task.id),
        taskProfileId,
        policyOf: (id) => this.policyOf(id),
        nameOf: (id) => this.store.profiles.byId(id)?.name ?? `profile ${id}`,
      });
      if (!next) return false;
      const fresh = next.note.kind === 'escalation' || failed.kind === 'start';
      const run = this.store.db.transaction(() => {
        const created = this.store.runs.create(
          task.id,
          fresh ? 'start' : failed.kind,
          fresh && failed.kind !== 'start' ? null : failed.message,
          fresh ? null : failed.sessionId,
          { retry: { note: next.note, profileId: next.profileId === taskProfileId ? null : next.profileId } },
        );
        this.timers.set(RETRY_TIMER, created.id, Date.now() + next.delayMs);
        return created;
      })();
      if (this.runs.liveSession(failed.id)) this.afterRun.set(run.id, failed.id);
      const at = Date.now();
      this.hub.emit({ type: 'run.created', run });
      this.hub.emit({ type: 'run.retry', taskId: task.id, runId: run.id, failedRunId: failed.id, retry: next.note, startsAt: at + next.delayMs, at });
      this.scheduler.poke();
      return true;
    } catch (error) {
      console.error(`[engine] could not retry run ${failed.id}: ${(error as Error).message}`);
      return false;
    }
  }

  private wait(task: TaskInfo): TaskWait | null {
    const run = task.run;
    if (!run?.retry) return null;
    const what = `attempt ${run.attempt}: ${run.retry.note}`;
    const at = this.timers.at(RETRY_TIMER, run.id);
    if (at !== null) {
      return { reason: 'retry_backoff', detail: `${what}, at ${formatWhen(at, this.store.tasks.timeZone(task.id) ?? undefined)}` };
    }
    const failedId = this.afterRun.get(run.id);
    if (failedId !== undefined && this.runs.liveSession(failedId)) return { reason: 'retry_backoff', detail: `${what}, once attempt ${run.attempt - 1} has ended` };
    this.afterRun.delete(run.id);
    return null;
  }

  private policyOf(profileId: number): EffectivePolicy {
    return this.policies.get(profileId) ?? DEFAULT_POLICY;
  }

  /** quick → deep → quick would go round for ever: refused when saved. */
  private refuseLoop(from: number, to: number): void {
    const names = [this.store.profiles.byId(from)!.name];
    for (let at: number | null = to; at !== null; at = this.policyOf(at).escalateTo) {
      names.push(this.store.profiles.byId(at)!.name);
      if (at === from) {
        throw new ErrandError('invalid_params', `That ladder goes round: ${names.join(' → ')}. Escalate to a profile that does not lead back.`);
      }
      if (names.length > 100) break;
    }
  }

  private profile(name: string) {
    const profile = this.store.profiles.byName(name);
    if (!profile) throw new ErrandError('not_found', `There is no profile "${name}". \`errand profile ls\` lists them.`);
    return profile;
  }
}
