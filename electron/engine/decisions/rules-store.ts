// The remembered "allow always" rules, one table.
import type { AdapterId, RuleScope } from '../../../shared/domain.js';
import type { Db } from '../store/database.js';
import { prepared } from '../store/database.js';

export interface StoredRule {
  id: number;
  scope: RuleScope;
  scopeId: number;
  adapter: AdapterId;
  tool: string;
  patterns: string[];
  fromTaskId: number | null;
  createdAt: number;
  appliedCount: number;
  lastAppliedAt: number | null;
}

interface Row {
  id: number;
  scope: RuleScope;
  scope_id: number;
  adapter: AdapterId;
  tool: string;
  patterns: string;
  from_task_id: number | null;
  created_at: number;
  applied_count: number;
  last_applied_at: number | null;
}

const COLUMNS = 'id, scope, scope_id, adapter, tool, patterns, from_task_id, created_at, applied_count, last_applied_at';

function fromRow(row: Row): StoredRule {
  return {
    id: row.id,
    scope: row.scope,
    scopeId: row.scope_id,
    adapter: row.adapter,
    tool: row.tool,
    patterns: JSON.parse(row.patterns) as string[],
    fromTaskId: row.from_task_id,
    createdAt: row.created_at,
    appliedCount: row.applied_count,
    lastAppliedAt: row.last_applied_at,
  };
}

/** Where a run's task sits: the scopes a rule may name to apply to it. */
export interface RuleTarget {
  taskId: number;
  repoId: number;
  profileId: number;
  adapter: AdapterId;
}

export class RulesStore {
  constructor(private readonly db: Db) {}

  /** Stores a rule, or returns the same one stored before (same scope, CLI, tool and patterns). */
  add(rule: Omit<StoredRule, 'id' | 'createdAt' | 'appliedCount' | 'lastAppliedAt'>, now = Date.now()): { rule: StoredRule; added: boolean } {
    const patterns = JSON.stringify(rule.patterns);
    const same = prepared(this.db, `SELECT ${COLUMNS} FROM decision_rules WHERE scope = ? AND scope_id = ? AND adapter = ? AND tool = ? AND patterns = ?`)
      .get(rule.scope, rule.scopeId, rule.adapter, rule.tool, patterns) as Row | undefined;
    if (same) return { rule: fromRow(same), added: false };
    const { lastInsertRowid } = prepared(
      this.db,
      'INSERT INTO decision_rules (scope, scope_id, adapter, tool, patterns, from_task_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(rule.scope, rule.scopeId, rule.adapter, rule.tool, patterns, rule.fromTaskId, now);
    return { rule: this.byId(Number(lastInsertRowid))!, added: true };
  }

  byId(id: number): StoredRule | null {
    const row = prepared(this.db, `SELECT ${COLUMNS} FROM decision_rules WHERE id = ?`).get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  remove(id: number): boolean {
    return prepared(this.db, 'DELETE FROM decision_rules WHERE id = ?').run(id).changes > 0;
  }

  /** Every rule, oldest first. */
  list(): StoredRule[] {
    return (prepared(this.db, `SELECT ${COLUMNS} FROM decision_rules ORDER BY id`).all() as Row[]).map(fromRow);
  }

  /** The rules that apply to a task (its own, its repo's, its profile's), for one CLI and tool when given, oldest first. */
  forTarget(target: Omit<RuleTarget, 'adapter'> & { adapter?: AdapterId }, tool?: string): StoredRule[] {
    const rows = prepared(
      this.db,
      `SELECT ${COLUMNS} FROM decision_rules
       WHERE ((scope = 'task' AND scope_id = ?) OR (scope = 'repo' AND scope_id = ?) OR (scope = 'profile' AND scope_id = ?))
         AND (? IS NULL OR adapter = ?) AND (? IS NULL OR tool = ?)
       ORDER BY id`,
    ).all(target.taskId, target.repoId, target.profileId, target.adapter ?? null, target.adapter ?? null, tool ?? null, tool ?? null) as Row[];
    return rows.map(fromRow);
  }

  noteApplied(id: number, at = Date.now()): void {
    prepared(this.db, 'UPDATE decision_rules SET applied_count = applied_count + 1, last_applied_at = ? WHERE id = ?').run(at, id);
  }
}
