// A repo's check command: an agent's "done" is a claim, the check is evidence. It runs in the worktree after the agent
// succeeds (and only then), as its own phase of the run's log, and a failure can go back to the agent with its output.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { isAlive, killAll, waitUntil } from '../../support/processes.js';
import { FAKE_AGENT, ROOT, Sandbox } from '../../support/sandbox.js';

const FAKE_CLAUDE = join(ROOT, 'test/fixtures/fake-claude.mjs');
type CheckEvent = Extract<EngineEvent, { type: 'run.check' }>;

describe("a repo's check", () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
  });
  afterEach(async () => stopWatchedEngine({ sb, watch }));

  const checkEvent = (runId: number, ended: boolean) =>
    watch.waitFor<CheckEvent>((e) => e.type === 'run.check' && e.runId === runId && (e.check !== null) === ended, `run ${runId}'s check ${ended ? 'to end' : 'to start'}`);
  const log = async (id: number, run?: number) => (await sb.errand(['logs', String(id), ...(run ? ['--run', String(run)] : [])])).stdout;

  it('runs after the agent succeeds, shows the run as checking meanwhile, and a pass ends it succeeded', async () => {
    const go = join(sb.root, 'go');
    await sb.json(['repo', 'add', repo, '--check', `until [ -f '${go}' ]; do sleep 0.05; done; echo all 3 tests pass`]);
    await sb.fakeProfile('fixer', ['edit', 'fixed.txt', 'yes', 'say', 'I fixed it']);
    await sb.json(['add', 'fix the parser', '--repo', repo, '--profile', 'fixer']);

    const started = await checkEvent(1, false);
    expect(started.command).toMatch(/^until /);
    // The agent is done, but its run is not: it is running, in its check phase.
    const { task } = await sb.json(['show', '1']);
    expect(task.status).toBe('running');
    expect(task.run.progress.phase).toBe('checking');
    expect((await sb.errand(['ls'])).stdout).toMatch(/running: checking/);
    expect(watch.events.some((e) => e.type === 'run.status' && e.status === 'succeeded')).toBe(false);
    // Nothing is typed into the check: a reply waits for its verdict.
    const reply = await sb.errand(['reply', '1', 'also fix the lexer']);
    expect(reply.code).toBe(1);
    expect(reply.stderr).toContain("the repo's check is running on its result. Wait for it, or cancel the task.");

    writeFileSync(go, '');
    const ended = await watch.ended(1);
    expect(ended.status).toBe('succeeded');
    expect(ended.reason).toBe(`check passed: until [ -f '${go}' ]; do sleep 0.05; done; echo all 3 tests pass`);
    const { runs } = await sb.json(['show', '1']);
    expect(runs[0].check).toMatchObject({ passed: true, exitCode: 0, timedOut: false, sentBack: false });
    expect(runs[0].check.outputTail).toContain('all 3 tests pass');
    expect(runs[0].check.durationMs).toBeGreaterThan(0);
    expect(runs[0].progress.phase).toBeUndefined();
    expect((await checkEvent(1, true)).check!.passed).toBe(true);
    // One log: the agent's output, then the check as its own phase.
    const text = await log(1);
    expect(text.indexOf('I fixed it')).toBeLessThan(text.indexOf('[errand] check: until'));
    expect(text).toMatch(/all 3 tests pass[\s\S]*\[errand\] check passed/);
    expect((await sb.errand(['ls'])).stdout).toMatch(/succeeded: check passed/);
    expect((await sb.errand(['show', '1'])).stdout).toMatch(/check {3}passed: until .*, run #1/);
  });

  it('fails the run when the check fails and no retries are set, with the end of its output shown and attention raised', async () => {
    const noisy = 'for i in $(seq 1 400); do echo "passing test $i"; done; echo "FAIL parser.test.ts: expected 4, got 5"; exit 3';
    await sb.json(['repo', 'add', repo, '--check', noisy]);
    await sb.fakeProfile('claims', ['say', 'all done, trust me']);
    await sb.json(['add', 'fix the parser', '--repo', repo, '--profile', 'claims']);

    const ended = await watch.ended(1);
    expect(ended.status).toBe('failed');
    expect(ended.reason).toBe(`check failed: ${noisy} (exit 3)`);
    await watch.waitFor((e) => e.type === 'attention' && e.taskId === 1 && e.kind === 'failed', 'attention for the failure');
    const { runs } = await sb.json(['show', '1']);
    expect(runs).toHaveLength(1);
    const check = runs[0].check;
    expect(check).toMatchObject({ passed: false, exitCode: 3, sentBack: false });
    // The end of the output, bounded, without the terminal's carriage returns.
    expect(check.outputTail).toMatch(/passing test 400\nFAIL parser\.test\.ts: expected 4, got 5\n$/);
    expect(check.outputTail).not.toContain('passing test 1\n');
    expect(check.outputTail).not.toContain('\r');
    expect(Buffer.byteLength(check.outputTail)).toBeLessThanOrEqual(4096);
    const shown = (await sb.errand(['show', '1'])).stdout;
    expect(shown).toMatch(/check {3}failed \(exit 3\)/);
    expect(shown).toContain('  FAIL parser.test.ts: expected 4, got 5');
    expect((await sb.errand(['ls'])).stdout).toMatch(/failed: check failed/);
  });

  it('sends a failing check back to the agent, which fixes it in the same worktree, and then the task succeeds', async () => {
    await sb.json(['repo', 'add', repo, '--check', 'test -f fixed.txt || { echo "fixed.txt is missing"; exit 1; }', '--check-retries', '1']);
    // The first run leaves a note; the second, finding it, makes the fix.
    await sb.fakeProfile('learns', ['edit-if-exists', 'tried.txt', 'fixed.txt', 'yes', 'edit', 'tried.txt', '1', 'say', 'done']);
    await sb.json(['add', 'make fixed.txt', '--repo', repo, '--profile', 'learns']);

    const first = await watch.ended(1);
    expect(first.status).toBe('failed');
    expect(first.reason).toMatch(/^check failed: test -f fixed.txt .* \(exit 1\); sent back to the agent with its output \(retry 1 of 1\)$/);
    const second = await watch.waitFor<Extract<EngineEvent, { type: 'run.created' }>>((e) => e.type === 'run.created' && e.run.taskId === 1 && e.run.id === 2, 'the follow-up run');
    expect(second.run.kind).toBe('start');
    const ended = await watch.ended(2);
    expect(ended.status).toBe('succeeded');
    expect(ended.reason).toMatch(/^check passed/);

    const { task, runs } = await sb.json(['show', '1']);
    expect(task.status).toBe('succeeded');
    expect(runs.map((r: { status: string }) => r.status)).toEqual(['failed', 'succeeded']);
    expect(runs[0].check).toMatchObject({ passed: false, sentBack: true, outputTail: 'fixed.txt is missing\n' });
    expect(runs[1].check).toMatchObject({ passed: true, sentBack: false });
    expect(runs[1].worktree).toBe(runs[0].worktree);
    // The failure that went back to the agent was not the person's: the only attention is the final success.
    const attention = watch.events.filter((e) => e.type === 'attention' && e.taskId === 1);
    expect(attention.map((e) => (e as { kind: string }).kind)).toEqual(['finished']);
  });

  it("continues the agent's session with the check's failing output", async () => {
    const check = `grep -q 'FAIL-7' prompt.txt || { echo 'FAIL-7: the parser still drops the last token'; exit 1; }`;
    await sb.json(['repo', 'add', repo, '--check', check, '--check-retries', '2']);
    await sb.json(['profile', 'add', 'claude-fake', '--adapter', 'claude', '--binary', FAKE_CLAUDE, '--', '--fake-save-prompt', 'prompt.txt']);
    await sb.json(['add', 'fix the parser', '--repo', repo, '--profile', 'claude-fake']);

    const ended = await watch.ended(2);
    expect(ended.status).toBe('succeeded');
    const { runs } = await sb.json(['show', '1']);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({ kind: 'reply', sessionId: runs[0].sessionId });
    expect(runs[1].message).toContain("The repo's check `grep -q 'FAIL-7' prompt.txt");
    expect(runs[1].message).toContain('failed (exit 1)');
    expect(runs[1].message).toContain('FAIL-7: the parser still drops the last token');
    // The agent said it succeeded on the first run; that was not announced, as the check had not passed.
    expect(watch.events.some((e) => e.type === 'run.status' && e.runId === runs[0].id && e.status === 'succeeded')).toBe(false);
  });

  it('fails the task once the retries are used up, and raises attention only then', async () => {
    await sb.json(['repo', 'add', repo, '--check', 'echo "still broken"; exit 1', '--check-retries', '2']);
    await sb.fakeProfile('stuck', ['say', 'done']);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'stuck']);

    const last = await watch.ended(3);
    expect(last.status).toBe('failed');
    expect(last.reason).toBe('check failed: echo "still broken"; exit 1 (exit 1)');
    await watch.waitFor((e) => e.type === 'attention' && e.runId === 3 && e.kind === 'failed', 'attention for the last failure');
    const { runs } = await sb.json(['show', '1']);
    expect(runs.map((r: { check: { sentBack: boolean } }) => r.check.sentBack)).toEqual([true, true, false]);
    expect(watch.events.filter((e) => e.type === 'attention' && e.taskId === 1)).toHaveLength(1);
    // The count is the task's and is kept: a retry by the person gets the check once, with no send-back left.
    await sb.json(['retry', '1']);
    expect((await watch.ended(4)).reason).toBe('check failed: echo "still broken"; exit 1 (exit 1)');
  });

  it('does not run the check when the agent fails', async () => {
    const canary = join(sb.root, 'check-ran');
    await sb.json(['repo', 'add', repo, '--check', `touch '${canary}'`]);
    await sb.fakeProfile('broken', ['say', 'oops', 'exit', '1']);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'broken']);

    const ended = await watch.ended(1);
    expect(ended.status).toBe('failed');
    expect(ended.reason).toBe('exited with code 1');
    expect(existsSync(canary)).toBe(false);
    expect((await sb.json(['show', '1'])).runs[0].check).toBeNull();
    expect(await log(1)).not.toContain('[errand] check:');
    expect(watch.events.some((e) => e.type === 'run.check')).toBe(false);
  });

  it("does not read the check's output as the agent's (a prompt-like line is no question)", async () => {
    await sb.json(['repo', 'add', repo, '--check', "echo 'Password:'; sleep 1"]);
    await sb.fakeProfile('asker', ['say', 'done'], ['--needs-input', 'Password:', '--quiet-ms', '200']);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'asker']);

    expect((await watch.ended(1)).status).toBe('succeeded');
    expect(watch.events.some((e) => e.type === 'run.status' && e.status === 'needs_input')).toBe(false);
  });

  it('stops a check that runs past its timeout, and fails the run', async () => {
    await sb.json(['repo', 'add', repo, '--check', 'echo waiting; sleep 60', '--check-timeout', '1s']);
    await sb.fakeProfile('quick', ['say', 'done']);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'quick']);

    const ended = await watch.ended(1);
    expect(ended.status).toBe('failed');
    expect(ended.reason).toMatch(/^check failed: echo waiting; sleep 60 \(timed out after 1\.\ds\)$/);
    const { runs } = await sb.json(['show', '1']);
    expect(runs[0].check).toMatchObject({ passed: false, timedOut: true, exitCode: null, outputTail: 'waiting\n' });
  });

  it('cancels the check with the run', async () => {
    await sb.json(['repo', 'add', repo, '--check', 'echo checking; sleep 60']);
    await sb.fakeProfile('quick', ['say', 'done']);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'quick']);
    await checkEvent(1, false);

    await sb.json(['cancel', '1']);
    const ended = await watch.ended(1);
    expect(ended.status).toBe('cancelled');
    expect((await sb.json(['show', '1'])).runs).toHaveLength(1);
  });

  it('is interrupted like any run when the engine stops during the check', async () => {
    await sb.json(['repo', 'add', repo, '--check', 'echo checking; sleep 60', '--check-retries', '1']);
    await sb.fakeProfile('quick', ['say', 'done']);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'quick']);
    await checkEvent(1, false);

    watch.stop();
    await sb.errand(['daemon', 'stop', '--force']);
    const { task, runs } = await sb.json(['show', '1']);
    expect(task.status).toBe('interrupted');
    expect(runs).toHaveLength(1);
    watch = await EventWatcher.start(sb);
  });

  it('leaves nothing of the check behind when the engine dies during it: the run is interrupted on the next start', async () => {
    const pidFile = join(sb.root, 'check-grandchild.pid');
    // The check leaves a process that ignores the hangup its terminal's end sends.
    await sb.json(['repo', 'add', repo, '--check', `'${process.execPath}' '${FAKE_AGENT}' grandchild '${pidFile}' sleep 600000`]);
    await sb.fakeProfile('quick', ['say', 'done']);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'quick']);
    await checkEvent(1, false);
    await waitUntil(() => existsSync(pidFile), 'the check to start its child');
    const child = Number(readFileSync(pidFile, 'utf8'));
    try {
      const daemon = await sb.json(['daemon', 'status']);
      watch.stop();
      process.kill(daemon.pid, 'SIGKILL');
      await waitUntil(() => !isAlive(daemon.pid), 'the engine to die');
      const { task, runs } = await sb.json(['show', '1']);
      expect(task.status).toBe('interrupted');
      expect(runs[0]).toMatchObject({ pid: null, check: null });
      expect(runs[0].reason).toMatch(/engine stopped unexpectedly while this run was running/);
      await waitUntil(() => !isAlive(child), "the check's child to be ended by recovery");
    } finally {
      killAll([child]);
      watch = await EventWatcher.start(sb);
    }
  });

  it('makes the follow-up of a failure sent back just before the engine died, once, on the next start', async () => {
    await sb.json(['repo', 'add', repo, '--check', 'test -f fixed.txt']);
    await sb.fakeProfile('learns', ['edit-if-exists', 'tried.txt', 'fixed.txt', 'yes', 'edit', 'tried.txt', '1']);
    await sb.json(['add', 'make fixed.txt', '--repo', repo, '--profile', 'learns']);
    expect((await watch.ended(1)).status).toBe('failed');
    watch.stop();
    await sb.errand(['daemon', 'stop']);
    // What a death between the run's end and its follow-up leaves: the failure marked as sent back, and no follow-up.
    const db = new Database(join(sb.dataDir, 'errand.db'));
    db.prepare("UPDATE runs SET check_result = json_set(check_result, '$.sentBack', json('true')) WHERE id = 1").run();
    db.close();

    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
    // The follow-up is made and started as the engine starts: it may have ended before the watcher subscribed.
    const followUp = (await sb.json(['show', '1'])).runs[1];
    expect(followUp?.endedAt ? followUp.status : (await watch.ended(2)).status).toBe('succeeded');
    watch.stop();
    await sb.errand(['daemon', 'stop']);
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
    expect((await sb.json(['show', '1'])).runs.map((r: { status: string }) => r.status)).toEqual(['failed', 'succeeded']);
  });

  it('keeps the repo settings, and clears the check with an empty --check', async () => {
    const saved = await sb.json(['repo', 'add', repo, '--check', 'npm test', '--check-retries', '2', '--check-timeout', '10m']);
    expect(saved).toMatchObject({ checkCommand: 'npm test', checkRetries: 2, checkTimeoutMs: 600_000 });
    expect(await sb.json(['repo', 'add', repo, '--base', 'main'])).toMatchObject({ checkCommand: 'npm test', checkRetries: 2 });
    expect((await sb.errand(['repo', 'ls'])).stdout).toContain('npm test (retries 2)');
    expect(await sb.json(['repo', 'add', repo, '--check', ''])).toMatchObject({ checkCommand: null });
    const bad = await sb.errand(['repo', 'add', repo, '--check-timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--check-timeout takes a time such as 90s, 30m or 2h');
  });
});
