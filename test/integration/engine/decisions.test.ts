// Remembered decisions through the real engine, with the scripted Claude stand-in (its stdio permission protocol):
// `errand allow --always` stores a rule, later requests it covers are allowed by the engine (and said so), requests
// it does not cover are still asked, and `errand rules rm` revokes it. The commands are only named, never run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { RawSocket } from '../../support/raw-socket.js';
import { ROOT, Sandbox } from '../../support/sandbox.js';

const FAKE_CLAUDE = join(ROOT, 'test/fixtures/fake-claude.mjs');
const CANARY = 'touch /tmp/errand-decisions-canary';

describe('remembered decisions', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
  });
  afterEach(async () => stopWatchedEngine({ sb, watch }));

  const profile = (name: string, ...fakeFlags: string[]) =>
    sb.json(['profile', 'add', name, '--adapter', 'claude', '--binary', FAKE_CLAUDE, '--', ...fakeFlags]);
  const add = async (profileName: string, where = repo): Promise<number> =>
    (await sb.json(['add', 'run the tests', '--repo', where, '--profile', profileName])).id;
  const asked = async (id: number): Promise<string[]> => {
    const { runs } = await sb.json(['show', String(id)]);
    return readFileSync(join(runs.at(-1).worktree, 'asked.log'), 'utf8').trim().split('\n');
  };
  const asks = (id: number) => watch.events.filter((e) => e.type === 'run.status' && e.taskId === id && e.status === 'needs_input');
  const nthAsk = (id: number, n: number) => watch.waitFor(() => asks(id).length >= n, `task ${id}'s ask number ${n}`);
  const autoAllowed = (id: number) => watch.events.filter((e) => e.type === 'run.auto_allowed' && e.taskId === id);

  it("--always repo takes Claude's suggestion, allows it in the repo's later tasks, and asks about the rest", async () => {
    await profile('npm-test', '--fake-ask', 'npm test', '--fake-suggest', 'npm test:*');
    await profile('then-more', '--fake-ask', 'npm test -- --grep parser', '--fake-ask', 'npm test && touch x', '--fake-ask', CANARY, '--fake-suggest', 'npm test:*');
    const first = await add('npm-test');
    await watch.status(first, 'needs_input');
    const allowed = await sb.errand(['allow', String(first), '--always', 'repo']);
    expect(allowed.stdout).toMatch(/allowed \(and from now on for this repo: errand rules ls\)/);
    await watch.status(first, 'succeeded');
    const added = await watch.waitFor<Extract<EngineEvent, { type: 'rule.added' }>>((e) => e.type === 'rule.added', 'the rule to be announced');
    expect(added.rule).toMatchObject({ scope: 'repo', scopeName: 'repo repo', adapter: 'claude', tool: 'Bash', patterns: ['npm test *'], label: 'Bash(npm test *)', fromTaskId: first });

    const second = await add('then-more');
    // `npm test -- --grep parser` is allowed by the rule; the chained command and the canary are not.
    const ask = await watch.status(second, 'needs_input');
    expect(ask.question).toBe('Claude wants to run: npm test && touch x');
    await sb.json(['deny', String(second)]);
    const canary = await watch.waitFor<Extract<EngineEvent, { type: 'run.status' }>>(
      (e) => e.type === 'run.status' && e.taskId === second && e.status === 'needs_input' && Boolean(e.question?.includes('canary')),
      'the canary ask',
    );
    expect(canary.question).toBe(`Claude wants to run: ${CANARY}`);
    await sb.json(['deny', String(second)]);
    await watch.status(second, 'succeeded');
    expect(await asked(second)).toEqual(['allow npm test -- --grep parser', 'deny npm test && touch x', `deny ${CANARY}`]);
    expect(autoAllowed(second)).toEqual([expect.objectContaining({ ruleId: added.rule.id, request: 'Bash: npm test -- --grep parser' })]);
    expect(asks(second)).toHaveLength(2);
    const log = (await sb.errand(['logs', String(second)])).stdout;
    expect(log).toContain(`allowed Bash: npm test -- --grep parser: rule ${added.rule.id} (Bash(npm test *), repo repo); errand rules rm ${added.rule.id} revokes it`);

    const { rules } = await sb.json(['rules', 'ls']);
    expect(rules).toEqual([expect.objectContaining({ id: added.rule.id, appliedCount: 1 })]);
    expect((await sb.errand(['rules', 'ls'])).stdout).toMatch(/Bash\(npm test \*\)\s+repo repo\s+claude\s+task 1\s+1×, last/);
  });

  it('--always task applies to that task alone', async () => {
    await profile('twice', '--fake-ask', 'npm run lint', '--fake-ask', 'npm run lint');
    const first = await add('twice');
    await watch.status(first, 'needs_input');
    await sb.json(['allow', String(first), '--always', 'task']);
    await watch.status(first, 'succeeded');
    // The second, identical request of the same task is allowed by the rule; no suggestion, so the rule is exact.
    expect(await asked(first)).toEqual(['allow npm run lint', 'allow npm run lint']);
    expect(autoAllowed(first)).toHaveLength(1);
    const { rules } = await sb.json(['rules', 'ls', '--task', String(first)]);
    expect(rules).toEqual([expect.objectContaining({ scope: 'task', scopeName: `task ${first}`, patterns: ['npm run lint'] })]);

    const other = await add('twice');
    await watch.status(other, 'needs_input');
    expect((await sb.json(['rules', 'ls', '--task', String(other)])).rules).toEqual([]);
    await sb.json(['deny', String(other)]);
    await nthAsk(other, 2);
    await sb.json(['deny', String(other)]);
    await watch.status(other, 'succeeded');
    expect(autoAllowed(other)).toEqual([]);
  });

  it('--always profile applies to that profile in any repo, not to another profile in the same repo', async () => {
    await profile('asks', '--fake-ask', 'make check');
    await profile('also-asks', '--fake-ask', 'make check');
    const first = await add('asks');
    await watch.status(first, 'needs_input');
    await sb.json(['allow', String(first), '--always', 'profile']);
    await watch.status(first, 'succeeded');

    const elsewhere = await add('asks', sb.repo('other-repo'));
    await watch.status(elsewhere, 'succeeded');
    expect(await asked(elsewhere)).toEqual(['allow make check']);
    expect(autoAllowed(elsewhere)).toHaveLength(1);
    expect(asks(elsewhere)).toEqual([]);

    const otherProfile = await add('also-asks');
    await watch.status(otherProfile, 'needs_input');
    await sb.json(['deny', String(otherProfile)]);
    await watch.status(otherProfile, 'succeeded');
  });

  it('survives an engine restart, and `rules rm` revokes it', async () => {
    await profile('asks', '--fake-ask', 'npm test', '--fake-suggest', 'npm test:*');
    const first = await add('asks');
    await watch.status(first, 'needs_input');
    await sb.json(['allow', String(first), '--always', 'repo']);
    await watch.status(first, 'succeeded');
    const [rule] = (await sb.json(['rules', 'ls'])).rules;

    watch.stop();
    await sb.errand(['daemon', 'stop']);
    watch = await EventWatcher.start(sb);
    const afterRestart = await add('asks');
    await watch.status(afterRestart, 'succeeded');
    expect(await asked(afterRestart)).toEqual(['allow npm test']);

    const removed = await sb.errand(['rules', 'rm', String(rule.id)]);
    expect(removed.stdout).toBe(`removed rule ${rule.id}: Bash(npm test *) no longer allowed for repo repo\n`);
    await watch.waitFor((e) => e.type === 'rule.removed' && e.rule.id === rule.id, 'the revocation');
    expect((await sb.json(['rules', 'ls'])).rules).toEqual([]);
    const revoked = await add('asks');
    await watch.status(revoked, 'needs_input');
    await sb.json(['deny', String(revoked)]);
  });

  it('refuses bad input and leaves the rules as they were', async () => {
    await profile('asks', '--fake-ask', 'npm test');
    const id = await add('asks');
    await watch.status(id, 'needs_input');
    const badScope = await sb.errand(['allow', String(id), '--always', 'everywhere']);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toMatch(/--always takes task, repo, profile/);
    const denyAlways = await sb.errand(['deny', String(id), '--always', 'repo']);
    expect(denyAlways.code).toBe(2);
    const noRule = await sb.errand(['rules', 'rm', '99']);
    expect(noRule.code).toBe(1);
    expect(noRule.stderr).toMatch(/There is no rule 99/);
    expect((await sb.json(['rules', 'ls'])).rules).toEqual([]);
    // Over the protocol, a denial is never remembered either.
    const socket = await RawSocket.open(join(sb.dataDir, 'engine.sock'));
    const refused = await socket.request('task.decide', { id, allow: false, always: 'repo' });
    socket.close();
    expect(refused.error).toMatchObject({ code: 'invalid_params', message: expect.stringContaining('a denial is never remembered') });
    expect((await sb.json(['show', String(id)])).task.status).toBe('needs_input');
    await sb.json(['allow', String(id)]);
    await watch.status(id, 'succeeded');
    // A task that waits for nothing: nothing to allow, nothing remembered.
    const late = await sb.errand(['allow', String(id), '--always', 'repo']);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/has no live run|not waiting for a permission decision/);
    expect((await sb.json(['rules', 'ls'])).rules).toEqual([]);
  });

  it('a question is answered in words, never remembered', async () => {
    await profile('questions', '--fake-question');
    const id = await add('questions');
    const asked = await watch.status(id, 'needs_input');
    expect(asked.question).toBe('Claude asks: Which colour? (Red / Blue)');
    const always = await sb.errand(['allow', String(id), '--always', 'profile']);
    expect(always.code).toBe(1);
    expect(always.stderr).toMatch(/asks a question, not for a tool: answer it with errand reply/);
    expect((await sb.json(['rules', 'ls'])).rules).toEqual([]);
    await sb.json(['reply', String(id), 'Blue']);
    await watch.status(id, 'succeeded');
  });
});
