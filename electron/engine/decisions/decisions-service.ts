// Remembered decisions: `errand allow --always` stores a rule and allows; a later request a rule covers is allowed by
// the engine, told in the run's log and as an event; `errand rules` lists and revokes them.
import type { DecisionRule, PermissionRequest, RuleScope, TaskInfo } from '../../../shared/domain.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import { QUESTION_TOOLS } from '../agents/verdict-wording.js';
import type { EventHub } from '../event-hub.js';
import type { RunManager } from '../run-manager.js';
import type { Store } from '../store/store.js';
import { ruleCovers, ruleFor, ruleLabel } from './matcher.js';
import { RulesStore } from './rules-store.js';
import type { RuleTarget, StoredRule } from './rules-store.js';

export class DecisionsService {
  readonly rules: RulesStore;

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly runs: RunManager,
  ) {
    this.rules = new RulesStore(store.db);
  }

  /** Allows the tool the task's agent waits on, and remembers it for the task, its repo or its profile. */
  allowAlways(id: number, scope: RuleScope): TaskInfo {
    const session = this.runs.session(id);
    const request = session.pendingRequest;
    if (!request) {
      throw new ErrandError('conflict', `Task ${id} is not waiting for a permission decision (it is ${session.currentStatus}); there is nothing to allow.`);
    }
    if (QUESTION_TOOLS.has(request.tool)) {
      throw new ErrandError('conflict', `Task ${id}'s agent asks a question, not for a tool: answer it with errand reply ${id} "<answer>". Nothing was remembered.`);
    }
    const target = this.targetOf(id);
    const shape = ruleFor(request);
    const scopeId = scope === 'task' ? target.taskId : scope === 'repo' ? target.repoId : target.profileId;
    const { rule, added } = this.rules.add({ scope, scopeId, adapter: target.adapter, tool: shape.tool, patterns: shape.patterns, fromTaskId: id });
    try {
      session.decide({ behavior: 'allow', ...(shape.fitsCli ? { always: true } : {}) });
    } catch (error) {
      // The request could not be answered: nothing is remembered from it either.
      if (added) this.rules.remove(rule.id);
      throw error;
    }
    if (added) this.hub.emit({ type: 'rule.added', rule: this.described(rule), at: Date.now() });
    return this.store.tasks.byId(id)!;
  }

  /** The rule that allows a run's permission request, noted and announced; null when the person must be asked. */
  autoAllow(target: RuleTarget & { runId: number }, request: PermissionRequest): DecisionRule | null {
    if (QUESTION_TOOLS.has(request.tool)) return null;
    let rule: StoredRule | undefined;
    try {
      rule = this.rules.forTarget(target, request.tool).find((r) => ruleCovers(r, request));
    } catch (error) {
      console.error(`[engine] could not read the remembered decisions (${(error as Error).message}); asking the person`);
      return null;
    }
    if (!rule) return null;
    const at = Date.now();
    try {
      this.rules.noteApplied(rule.id, at);
    } catch (error) {
      console.error(`[engine] could not count rule ${rule.id}'s use: ${(error as Error).message}`);
    }
    this.hub.emit({ type: 'run.auto_allowed', taskId: target.taskId, runId: target.runId, ruleId: rule.id, request: request.summary, at });
    return this.described(rule);
  }

  list(params: MethodParams<'rules.list'>): MethodResults['rules.list'] {
    const rules = params?.taskId ? this.rules.forTarget(this.targetOf(params.taskId)) : this.rules.list();
    return { rules: rules.map((r) => this.described(r)) };
  }

  remove(id: number): MethodResults['rules.remove'] {
    const rule = this.rules.byId(id);
    if (!rule) throw new ErrandError('not_found', `There is no rule ${id}. \`errand rules ls\` lists them.`);
    this.rules.remove(id);
    const removed = this.described(rule);
    this.hub.emit({ type: 'rule.removed', rule: removed, at: Date.now() });
    return { removed };
  }

  private targetOf(taskId: number): RuleTarget {
    const task = this.store.tasks.byId(taskId);
    if (!task) throw new ErrandError('not_found', `There is no task ${taskId}. \`errand ls\` lists them.`);
    const profileId = this.store.tasks.profileId(taskId)!;
    return { taskId, repoId: task.repoId, profileId, adapter: this.store.profiles.byId(profileId)!.adapter };
  }

  private described(rule: StoredRule): DecisionRule {
    const named =
      rule.scope === 'task'
        ? `task ${rule.scopeId}`
        : `${rule.scope} ${(rule.scope === 'repo' ? this.store.repos.byId(rule.scopeId)?.name : this.store.profiles.byId(rule.scopeId)?.name) ?? `#${rule.scopeId}`}`;
    return { ...rule, scopeName: named, label: ruleLabel(rule) };
  }
}
