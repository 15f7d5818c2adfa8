// Remembered decisions with the real Claude Code CLI (2.1.197) against the scripted model server: its permission
// suggestion becomes the rule, and the engine answers the later request it covers.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { agentWorld } from '../../support/agent-cli.js';
import type { AgentWorld } from '../../support/agent-cli.js';
import { rememberedForTheRepo } from './always.js';
import { conformance } from './conformance.js';

describe('Claude Code: allow --always (real CLI, scripted model server)', () => {
  let world: AgentWorld;

  beforeAll(async () => {
    world = await agentWorld('claude');
    for (const scenario of ['permission', 'permission-twice']) {
      await world.profile(`claude-${scenario}`, `errand-${scenario}`, { permissionMode: 'acceptEdits' });
    }
  });
  afterAll(async () => {
    await world?.sb.json(['agents']);
    await world?.close();
  });

  it('remembers the command for the repo, allows it in a later task, and still asks about another', async () => {
    await rememberedForTheRepo(world, conformance(world), { permission: 'claude-permission', twice: 'claude-permission-twice' }, 'Claude');
  });
});
