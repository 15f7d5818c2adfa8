// What chain tests share: a command profile that keeps every prompt it gets, and the chain.step events of a task.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent } from '../../shared/protocol/events.js';
import type { EventWatcher } from './event-watcher.js';
import type { Sandbox } from './sandbox.js';

type ChainStepEvent = Extract<EngineEvent, { type: 'chain.step' }>;

/** A command profile that keeps each prompt it gets (prompt-0.txt, …), writes plan.md once, and says which step it was. */
export async function stepperProfile(sb: Sandbox, name = 'stepper', waitAt = -1): Promise<string> {
  const prompts = join(sb.root, `${name}-prompts`);
  mkdirSync(prompts);
  const script =
    'n=$(ls "$2" | wc -l | tr -d " "); cp "$1" "$2/prompt-$n.txt"; ' +
    '[ -f plan.md ] || printf "1. parse\\n2. print\\n" > plan.md; ' +
    `if [ "$n" = "${waitAt}" ]; then while [ ! -f "$2.go" ]; do sleep 0.05; done; fi; echo "step $n done"`;
  const result = await sb.errand(['profile', 'add', name, '--', '/bin/sh', '-c', script, 'sh', '{prompt_file}', prompts]);
  if (result.code !== 0) throw new Error(result.stderr);
  return prompts;
}

export const stepEvents = (watch: EventWatcher, taskId: number) =>
  watch.events.filter((e): e is ChainStepEvent => e.type === 'chain.step' && e.taskId === taskId).map((e) => `${e.name}:${e.status}`);
