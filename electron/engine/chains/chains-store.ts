// The chain tables: templates people saved, and each task's chain with its steps (the template copied in, as edited).
import type { ChainState, ChainStep, ChainStepSpec, ChainStepStatus, ChainTemplate, TaskChain } from '../../../shared/domain.js';
import type { Db } from '../store/database.js';
import { prepared } from '../store/database.js';

export interface StoredStep extends ChainStep {
  profileId: number | null;
  /** Its prompt with the variables filled in, once it has been prepared to start. */
  rendered: string | null;
}

export interface StoredChain extends TaskChain {
  steps: StoredStep[];
}

export interface NewStep {
  name: string;
  profileId: number | null;
  gate: boolean;
  prompt: string;
}

interface StepRow {
  idx: number;
  name: string;
  profile_id: number | null;
  profile_name: string | null;
  gate: number;
  prompt: string;
  rendered: string | null;
  status: string;
  run_id: number | null;
}

interface TemplateRow {
  name: string;
  description: string;
  steps: string;
  created_at: number;
}

type StepFields = Partial<{ status: ChainStepStatus; runId: number | null; rendered: string | null; prompt: string; profileId: number | null; gate: boolean }>;
const STEP_COLUMNS: Record<keyof StepFields, string> = {
  status: 'status',
  runId: 'run_id',
  rendered: 'rendered',
  prompt: 'prompt',
  profileId: 'profile_id',
  gate: 'gate',
};

const toTemplate = (row: TemplateRow): ChainTemplate => ({
  name: row.name,
  description: row.description,
  steps: JSON.parse(row.steps) as ChainStepSpec[],
  builtin: false,
  createdAt: row.created_at,
});

export class ChainsStore {
  constructor(readonly db: Db) {}

  templates(): ChainTemplate[] {
    return (prepared(this.db, 'SELECT * FROM chain_templates ORDER BY name').all() as TemplateRow[]).map(toTemplate);
  }

  template(name: string): ChainTemplate | null {
    const row = prepared(this.db, 'SELECT * FROM chain_templates WHERE name = ?').get(name) as TemplateRow | undefined;
    return row ? toTemplate(row) : null;
  }

  saveTemplate(name: string, description: string, steps: readonly ChainStepSpec[]): ChainTemplate {
    prepared(
      this.db,
      `INSERT INTO chain_templates (name, description, steps, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET description = excluded.description, steps = excluded.steps`,
    ).run(name, description, JSON.stringify(steps), Date.now());
    return this.template(name)!;
  }

  removeTemplate(name: string): boolean {
    return prepared(this.db, 'DELETE FROM chain_templates WHERE name = ?').run(name).changes > 0;
  }

  attach(taskId: number, template: string, steps: readonly NewStep[]): void {
    prepared(this.db, "INSERT INTO task_chains (task_id, template, position, total, state) VALUES (?, ?, 0, ?, 'running')").run(
      taskId,
      template,
      steps.length,
    );
    const insert = prepared(
      this.db,
      "INSERT INTO chain_steps (task_id, idx, name, profile_id, gate, prompt, status) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
    );
    steps.forEach((s, idx) => insert.run(taskId, idx, s.name, s.profileId, s.gate ? 1 : 0, s.prompt));
  }

  chain(taskId: number): StoredChain | null {
    const head = prepared(this.db, 'SELECT template, position, state FROM task_chains WHERE task_id = ?').get(taskId) as
      | { template: string; position: number; state: string }
      | undefined;
    if (!head) return null;
    const rows = prepared(
      this.db,
      `SELECT s.*, p.name AS profile_name FROM chain_steps s LEFT JOIN profiles p ON p.id = s.profile_id
        WHERE s.task_id = ? ORDER BY s.idx`,
    ).all(taskId) as StepRow[];
    return {
      taskId,
      template: head.template,
      state: head.state as ChainState,
      position: head.position,
      steps: rows.map((r) => ({
        name: r.name,
        profile: r.profile_name,
        profileId: r.profile_id,
        gate: r.gate === 1,
        prompt: r.prompt,
        rendered: r.rendered,
        status: r.status as ChainStepStatus,
        runId: r.run_id,
      })),
    };
  }

  /** Tasks whose chain has not finished. */
  unfinished(): number[] {
    return prepared(this.db, "SELECT task_id FROM task_chains WHERE state != 'done' ORDER BY task_id").pluck().all() as number[];
  }

  setChain(taskId: number, state: ChainState, position: number): void {
    prepared(this.db, 'UPDATE task_chains SET state = ?, position = ? WHERE task_id = ?').run(state, position, taskId);
  }

  setStep(taskId: number, idx: number, fields: StepFields): void {
    const keys = (Object.keys(fields) as (keyof StepFields)[]).filter((k) => fields[k] !== undefined);
    if (keys.length === 0) return;
    const values: Record<string, unknown> = { taskId, idx };
    for (const k of keys) values[k] = k === 'gate' ? (fields.gate ? 1 : 0) : fields[k];
    prepared(this.db, `UPDATE chain_steps SET ${keys.map((k) => `${STEP_COLUMNS[k]} = @${k}`).join(', ')} WHERE task_id = @taskId AND idx = @idx`).run(values);
  }

  /** A queued run that has not started takes its step's new profile. */
  setQueuedRunProfile(runId: number, profileId: number | null): void {
    prepared(this.db, "UPDATE runs SET profile_id = ? WHERE id = ? AND status = 'queued'").run(profileId, runId);
  }
}

/** A task's chain as clients see it: no internal ids or rendered prompts. */
export function publicChain(chain: StoredChain): TaskChain {
  return {
    taskId: chain.taskId,
    template: chain.template,
    state: chain.state,
    position: chain.position,
    steps: chain.steps.map(({ name, profile, gate, prompt, status, runId }) => ({ name, profile, gate, prompt, status, runId })),
  };
}
