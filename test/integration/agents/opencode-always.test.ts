// Remembered decisions with the real OpenCode (1.18.33, through Errand's driver) against the scripted model server:
// its `always` for `sh -c '…'` is `sh *`, wider than what was asked, so the rule keeps the command itself.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { agentWorld } from '../../support/agent-cli.js';
import type { AgentWorld } from '../../support/agent-cli.js';
import { rememberedForTheRepo } from './always.js';
import { conformance } from './conformance.js';

describe('OpenCode: allow --always (real CLI, scripted model server)', () => {
  let world: AgentWorld;

  beforeAll(async () => {
    world = await agentWorld('opencode');
    for (const scenario of ['permission', 'permission-twice']) await world.profile(scenario, `errand-${scenario}`);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('remembers the command (not its `sh *`) for the repo, allows it in a later task, and still asks about another', async () => {
    await rememberedForTheRepo(world, conformance(world), { permission: 'permission', twice: 'permission-twice' }, 'OpenCode');
  }, 400_000);
});
