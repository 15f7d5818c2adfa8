// The remembered-decision case for a real CLI that Errand can answer live (Claude Code, OpenCode): allow a shell command
// --always for the repo, then a later task of the repo runs that command without asking and is still asked about a
// different one (the canary), which is denied and never runs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { DecisionRule } from '../../../shared/domain.js';
import { CANARY_COMMAND, CANARY_FILE, PERMIT_COMMAND, PERMIT_FILE } from '../../fixtures/model-server.mjs';
import type { AgentWorld } from '../../support/agent-cli.js';
import type { Conformance, RunStatusEvent } from './conformance.js';

/** `permission` and `twice` are profiles of the errand-permission and errand-permission-twice scenarios. */
export async function rememberedForTheRepo(
  world: AgentWorld,
  c: Conformance,
  profiles: { permission: string; twice: string },
  agentName: string,
): Promise<{ rule: DecisionRule; firstRun: number; secondRun: number }> {
  const first = await c.add('Touch the permitted file.', profiles.permission);
  // OpenCode's first start in a fresh HOME (its database) takes most of a minute here.
  const asked = await c.status(first, 'needs_input', { timeoutMs: 150_000 });
  expect(asked.question).toBe(`${agentName} wants to run: ${PERMIT_COMMAND}`);
  await world.sb.json(['allow', String(first), '--always', 'repo']);
  await c.status(first, 'succeeded', { timeoutMs: 90_000 });
  const { runs: firstRuns } = await c.settled(first);
  expect(existsSync(join(firstRuns[0]!.worktree!, PERMIT_FILE))).toBe(true);
  const { rules } = await world.sb.json<{ rules: DecisionRule[] }>(['rules', 'ls']);
  // The CLI's suggestion is no wider than the command (Claude's), or it is (OpenCode's `sh *`) and the command is kept.
  expect(rules).toEqual([expect.objectContaining({ scope: 'repo', tool: expect.stringMatching(/^bash$/i), patterns: [PERMIT_COMMAND], appliedCount: 0 })]);

  const second = await c.add('Touch both files.', profiles.twice);
  const canary = await c.status(second, 'needs_input', { timeoutMs: 90_000 });
  // The remembered command ran without asking; the canary is asked about.
  expect(canary.question).toBe(`${agentName} wants to run: ${CANARY_COMMAND}`);
  const secondRun = (await c.show(second)).runs[0]!;
  expect(existsSync(join(secondRun.worktree!, PERMIT_FILE))).toBe(true);
  expect(world.watch.events.filter((e) => e.type === 'run.auto_allowed' && e.taskId === second)).toEqual([
    expect.objectContaining({ ruleId: rules[0]!.id, request: expect.stringContaining(PERMIT_COMMAND) }),
  ]);
  await world.sb.json(['deny', String(second), '--message', 'Not that one.']);
  const verdict = await world.watch.waitFor<RunStatusEvent>(
    (e) => e.type === 'run.status' && e.taskId === second && ['succeeded', 'needs_input', 'failed', 'unknown'].includes(e.status) && e.at > canary.at,
    'the verdict after the canary was denied',
    90_000,
  );
  expect(verdict.reason ?? verdict.question).toContain(`you denied: ${CANARY_COMMAND}`);
  await c.settled(second);
  expect(existsSync(join(secondRun.worktree!, CANARY_FILE))).toBe(false);
  expect(c.statuses(second).filter((s) => s === 'needs_input')).toHaveLength(1);
  const log = (await world.sb.errand(['logs', String(second)])).stdout;
  expect(log).toContain(`: rule ${rules[0]!.id} (`);
  const [used] = (await world.sb.json<{ rules: DecisionRule[] }>(['rules', 'ls'])).rules;
  expect(used).toMatchObject({ appliedCount: 1 });
  return { rule: rules[0]!, firstRun: firstRuns[0]!.id, secondRun: secondRun.id };
}
