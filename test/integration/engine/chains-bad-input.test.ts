// Bad input to chains: a template is checked when it is saved (not at step 3), and what is refused changes nothing.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

type Attention = Extract<EngineEvent, { type: 'attention' }>;

describe('bad input to chains', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
    await sb.fakeProfile('ok', ['say', 'fine']);
  });
  afterEach(async () => stopWatchedEngine({ sb, watch }));

  const steps = (text: string) => {
    const file = join(sb.root, `steps-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(file, text);
    return file;
  };
  const names = async () => (await sb.json(['chain', 'ls'])).map((c: { name: string }) => c.name);
  const BUILTINS = ['plan-critique-implement', 'implement-review', 'plan-implement-test'];

  it('refuses a template with an unknown variable, step or profile, saying which and where, and saves nothing', async () => {
    const cases: [string, string][] = [
      ['[plan]\nplan {{task}}\n[do]\ndo {{previous.sumary}}\n', 'step do: {{previous.sumary}} is not a variable: use {{task}}, {{previous.summary}}'],
      ['[plan]\nplan {{task}}\n[do]\ndo {{steps.plam.summary}}\n', 'step do: {{steps.plam.summary}} names no earlier step (earlier: plan)'],
      ['[plan profile=nobody]\nplan {{task}}\n', 'step plan: there is no profile "nobody" (errand profile ls lists them)'],
      ['[plan]\n{{previous.file:plan.md}}\n', 'step plan: {{previous.file:plan.md}}: it is the first step, so there is no previous step'],
      ['[plan]\nplan\n[do]\n{{previous.file:../../etc/passwd}}\n', 'names a path with ".." or an empty part'],
    ];
    for (const [text, message] of cases) {
      const result = await sb.errand(['chain', 'add', 'bad', '--file', steps(text)]);
      expect(result.code, text).toBe(1);
      expect(result.stderr).toContain('errand chain: Chain "bad" was not saved: ');
      expect(result.stderr).toContain(message);
    }
    expect(await names()).toEqual(BUILTINS);
    const builtin = await sb.errand(['chain', 'add', 'implement-review', '--file', steps('[a]\nx\n')]);
    expect(builtin.stderr).toContain('"implement-review" is a built-in chain; give yours another name.');
    const format = await sb.errand(['chain', 'add', 'x', '--file', steps('no header here\n')]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('line 1: the file must start with a step header such as [plan]');
    expect(await names()).toEqual(BUILTINS);
  });

  it('files no task for an unknown chain, or one whose profile has gone since it was saved', async () => {
    const unknown = await sb.errand(['add', 'fix it', '--repo', repo, '--profile', 'ok', '--chain', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no chain "nope". Chains: plan-critique-implement, implement-review, plan-implement-test');
    await sb.fakeProfile('gone', ['say', 'x']);
    await sb.json(['chain', 'add', 'mine', '--file', steps('[a profile=gone]\nx {{task}}\n')]);
    await sb.json(['profile', 'rm', 'gone']);
    const stale = await sb.errand(['add', 'fix it', '--repo', repo, '--chain', 'mine']);
    expect(stale.stderr).toContain('Chain "mine" cannot be used: step a: there is no profile "gone"');
    expect((await sb.json(['ls'])).total).toBe(0);
  });

  it('refuses an edit with an unknown variable or step, and the removal of a profile a step keeps, and leaves the chain as it was', async () => {
    await sb.fakeProfile('broken', ['exit', '1']);
    await sb.fakeProfile('later', ['say', 'later']);
    await sb.json(['chain', 'add', 'two', '--file', steps('[a profile=broken]\nx {{task}}\n[b profile=later]\ny {{previous.summary}}\n')]);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'ok', '--chain', 'two']);
    await watch.waitFor((e) => e.type === 'attention' && e.taskId === 1 && e.kind === 'chain_halted', 'the halt');
    const before = await sb.json(['chain', 'show', '1']);
    const bad = await sb.errand(['chain', 'edit', '1', '--step', 'b', '--prompt', 'y {{steps.b.summary}}']);
    expect(bad.stderr).toContain('Step b was not changed: {{steps.b.summary}} names this step itself');
    const unknownStep = await sb.errand(['chain', 'edit', '1', '--step', 'zz', '--prompt', 'y']);
    expect(unknownStep.stderr).toContain('Task 1\'s chain has no step "zz" (its steps: a, b).');
    expect(await sb.json(['chain', 'show', '1'])).toEqual(before);
    expect((await sb.errand(['chain', 'continue', '2'])).stderr).toContain('There is no task 2.');
    // A step's run, and a step still to come, keep their profiles: removing one would leave the chain unable to go on.
    for (const name of ['broken', 'later']) {
      expect((await sb.errand(['profile', 'rm', name])).stderr).toContain(`Profile "${name}" is used by tasks (which keep it for retries), a chain step, a schedule or a retry ladder; it was kept.`);
    }
  });

  it('halts a step whose file leads out of the worktree, and reads nothing from outside', async () => {
    const secret = join(sb.root, 'secret.txt');
    writeFileSync(secret, 'outside-the-worktree-0451');
    const prompts = join(sb.root, 'prompts');
    await sb.errand(['profile', 'add', 'linker', '--', '/bin/sh', '-c', 'ln -s "$1" plan.md; echo linked', 'sh', secret]);
    await sb.errand(['profile', 'add', 'keeper', '--', '/bin/sh', '-c', 'mkdir -p "$2"; cp "$1" "$2/prompt.txt"', 'sh', '{prompt_file}', prompts]);
    await sb.json(['chain', 'add', 'leak', '--file', steps('[plan profile=linker]\nplan\n[read profile=keeper]\nthe plan: {{previous.file:plan.md}}\n')]);
    await sb.json(['add', 'fix it', '--repo', repo, '--chain', 'leak']);
    const halted = await watch.waitFor<Attention>((e) => e.type === 'attention' && e.taskId === 1 && e.kind === 'chain_halted', 'the halt');
    expect(halted.message).toContain('step 2/2 read failed: could not start: plan.md leads outside the worktree (a symbolic link), so it is not read');
    expect(() => readdirSync(prompts)).toThrow();
    const { runs } = await sb.json(['show', '1']);
    expect(runs[1]).toMatchObject({ status: 'failed', startedAt: null });
    expect(readFileSync(join(sb.dataDir, 'runs', String(runs[0].id), 'output.log'), 'utf8')).toContain('linked');
    expect(readFileSync(join(sb.dataDir, 'runs', String(runs[0].id), 'output.log'), 'utf8')).not.toContain('0451');
  });
});
