import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { isAlive, waitUntil } from '../../support/processes.js';
import { ERRAND_BIN, Sandbox } from '../../support/sandbox.js';
import { CliTerminal } from '../../support/terminal.js';

describe('talking to a running agent', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  const terminals: CliTerminal[] = [];

  beforeEach(async () => ({ sb, watch } = await startWatchedEngine()));
  afterEach(async () => {
    for (const t of terminals.splice(0)) t.dispose();
    await stopWatchedEngine({ sb, watch });
  });

  const attach = (taskId: number) => {
    const t = new CliTerminal(sb, ['attach', String(taskId)], { cols: 100, rows: 30 });
    terminals.push(t);
    return t;
  };
  const logsOf = async (taskId: number) => (await sb.errand(['logs', String(taskId)])).stdout;
  const waitForLog = (taskId: number, text: string) => waitUntil(async () => (await logsOf(taskId)).includes(text), `"${text}" in task ${taskId}'s log`);

  it('attach shows the current screen, types into the agent, sizes its terminal, and detaches on Ctrl-] leaving it running', async () => {
    const repo = sb.repo();
    const go = join(sb.root, 'go');
    await sb.fakeProfile('asker', ['say', 'before the question', 'size', 'ask', 'Proceed? [y/N]', 'size', 'wait-file', go, 'say', 'finished']);
    await sb.json(['add', 'ask me', '--repo', repo, '--profile', 'asker']);
    await watch.status(1, 'running');
    await waitForLog(1, 'Proceed? [y/N]');
    expect(await logsOf(1)).toContain('size 120x32');

    const term = attach(1);
    // The screen as it was before we attached: what the agent printed and the question.
    await term.waitForScreen(/before the question[\s\S]*size 120x32[\s\S]*Proceed\? \[y\/N\]/, 'the current screen');
    term.write('yes\r');
    await term.waitForScreen(/answer: yes/, 'the answer echoed by the agent');
    // The agent's terminal took the attached client's size.
    await term.waitForScreen(/size 100x30/, 'the agent to see the new size');

    term.write('\x1d');
    const exit = await term.exited;
    expect(exit.exitCode).toBe(0);
    expect(await term.screen()).toMatch(/detached from task 1/);

    const detail = await sb.json(['show', '1']);
    expect(detail.task.status).toBe('running');
    expect(isAlive(detail.runs[0].pid)).toBe(true);
    writeFileSync(go, '');
    await watch.status(1, 'succeeded');
    const log = await logsOf(1);
    expect(log).toContain('answer: yes');
    expect(log).toContain('size 100x30');
    expect(log).toContain('finished');
  });

  it('keeps the agent running and answering when an attached client is killed with SIGKILL', async () => {
    const repo = sb.repo();
    await sb.fakeProfile('asker', ['say', 'hello', 'ask', 'Continue? [y/N]', 'say', 'carried on']);
    await sb.json(['add', 'ask me', '--repo', repo, '--profile', 'asker']);
    await watch.status(1, 'running');
    await waitForLog(1, 'Continue? [y/N]');
    const agentPid: number = (await sb.json(['show', '1'])).runs[0].pid;

    const term = attach(1);
    await term.waitForScreen(/Continue\? \[y\/N\]/, 'the screen');
    // The engine serves the attached client, the event watcher, and the status request.
    await waitUntil(async () => (await sb.json(['daemon', 'status'])).clients === 3, 'the engine to count the attached client');
    term.kill('SIGKILL');
    await term.exited;
    await waitUntil(async () => (await sb.json(['daemon', 'status'])).clients === 2, 'the engine to notice the client is gone');

    expect((await sb.json(['show', '1'])).task.status).toBe('running');
    expect(isAlive(agentPid)).toBe(true);
    const sent = await sb.json(['send', '1', 'y']);
    expect(sent.written).toBe(2);
    await watch.status(1, 'succeeded');
    const log = await logsOf(1);
    expect(log).toContain('answer: y');
    expect(log).toContain('carried on');
  });

  it('keeps the agent running and answering when `errand logs --follow` is killed with SIGKILL mid-stream', async () => {
    const repo = sb.repo();
    const go = join(sb.root, 'go');
    const steps: string[] = [];
    for (let i = 1; i <= 50; i++) steps.push('say', `early ${i}`, 'sleep', '5');
    steps.push('wait-file', go);
    for (let i = 1; i <= 50; i++) steps.push('say', `late ${i}`, 'sleep', '5');
    steps.push('ask', 'Done? [y/N]', 'say', 'carried on');
    await sb.fakeProfile('chatty', steps);
    await sb.json(['add', 'talk', '--repo', repo, '--profile', 'chatty']);
    await watch.status(1, 'running');

    const follow = spawn(process.execPath, [ERRAND_BIN, 'logs', '1', '--follow'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    follow.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    const followExit = new Promise<number | null>((resolve) => follow.on('exit', (code, signal) => resolve(signal ? -1 : code)));
    await waitUntil(() => seen.includes('early 50'), 'the follower to stream the first part');
    writeFileSync(go, '');
    await waitUntil(() => seen.includes('late 1'), 'the follower to stream live output');
    follow.kill('SIGKILL');
    expect(await followExit).toBe(-1);

    await waitForLog(1, 'Done? [y/N]');
    expect((await sb.json(['show', '1'])).task.status).toBe('running');
    await sb.json(['send', '1', 'y']);
    await watch.status(1, 'succeeded');
    const log = await logsOf(1);
    expect(log).toContain('late 50');
    expect(log).toContain('answer: y');
    expect(log).toContain('carried on');
  });

  it('answers a question with `errand send`, and a needs-input rule reports the question and the answer', async () => {
    const repo = sb.repo();
    const go = join(sb.root, 'go');
    const question = 'Approve the migration? [y/N]';
    await sb.fakeProfile(
      'approver',
      ['say', 'working', 'ask', question, 'say', 'approved, working on', 'wait-file', go, 'ask', question, 'say', 'done', 'exit', '0'],
      ['--needs-input', 'Approve .*\\?', '--quiet-ms', '300'],
    );
    await sb.json(['add', 'migrate', '--repo', repo, '--profile', 'approver']);

    const asked = await watch.status(1, 'needs_input');
    expect(asked.question).toBe(question);
    expect(asked.previous).toBe('running');
    const attention = await watch.waitFor((e) => e.type === 'attention' && e.taskId === 1 && e.kind === 'needs_input', 'attention');
    expect(attention).toMatchObject({ message: question });
    const listed = await sb.json(['ls', '--status', 'needs_input']);
    expect(listed.tasks.map((t: any) => t.id)).toEqual([1]);
    expect((await sb.json(['show', '1'])).task.run.question).toBe(question);

    const sent = await sb.json(['send', '1', 'y']);
    expect(sent.written).toBe(2);
    const resumed = await watch.waitFor<Extract<EngineEvent, { type: 'run.status' }>>(
      (e) => e.type === 'run.status' && e.taskId === 1 && e.status === 'running' && e.previous === 'needs_input',
      'running again after the answer',
    );
    expect(resumed).toMatchObject({ question: null });
    await waitForLog(1, 'approved, working on');
    // The agent now works quietly for longer than the rule's quiet time: the answered question must not count again.
    await waitForQuietLog(join(sb.dataDir, 'runs', String(resumed.runId), 'output.log'), 1000);
    expect((await sb.json(['show', '1'])).task.status).toBe('running');

    // Asked again, the same question counts again.
    writeFileSync(go, '');
    const again = (e: any) => e.type === 'run.status' && e.taskId === 1 && e.status === 'needs_input' && e !== asked;
    expect(await watch.waitFor(again, 'the question asked again')).toMatchObject({ question });
    await sb.json(['send', '1', 'n']);
    await watch.status(1, 'succeeded');

    const statuses = watch.events.filter((e) => e.type === 'run.status' && e.taskId === 1).map((e: any) => e.status);
    expect(statuses).toEqual(['starting', 'running', 'needs_input', 'running', 'needs_input', 'running', 'succeeded']);
    const log = await logsOf(1);
    expect(log).toContain('answer: y');
    expect(log).toContain('answer: n');
  });

  it('streams `errand logs --follow` as output comes, exits 0 when the run ends, with the whole output exactly once', async () => {
    const repo = sb.repo();
    const go = join(sb.root, 'go');
    await sb.fakeProfile('counter', ['count', '1', '150', '2', 'wait-file', go, 'count', '151', '300', '2']);
    await sb.json(['add', 'count', '--repo', repo, '--profile', 'counter']);
    await watch.status(1, 'running');
    // Join while it prints: part comes from the log, the rest live.
    await waitForLog(1, 'line 20');

    const follow = spawn(process.execPath, [ERRAND_BIN, 'logs', '1', '--follow'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    follow.stdout.on('data', (d: Buffer) => chunks.push(d));
    follow.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const followExit = new Promise<number | null>((resolve) => follow.on('close', (code) => resolve(code)));
    const seen = () => Buffer.concat(chunks).toString();

    // It streams: the first part arrives while the agent is still blocked, long before the run ends.
    await waitUntil(() => seen().includes('line 150\r\n'), 'the follower to show the first 150 lines');
    expect(seen()).not.toContain('line 151');
    writeFileSync(go, '');
    expect(await followExit).toBe(0);
    expect(stderr).toBe('');
    expect((await sb.json(['show', '1'])).task.status).toBe('succeeded');

    const output = seen();
    const numbered = output.split('\r\n').filter((l) => l.startsWith('line '));
    expect(numbered).toEqual(Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
    // Byte for byte what the log holds.
    expect(output).toBe(await logsOf(1));
  });

  it('`errand logs --follow` on a queued task waits for it to start, then follows it to its end', async () => {
    const repo = sb.repo();
    const go = join(sb.root, 'go');
    await sb.json(['config', 'set', 'max-running', '1']);
    await sb.fakeProfile('blocker', ['say', 'blocking', 'wait-file', go]);
    await sb.fakeProfile('counter', ['count', '1', '50', '1']);
    await sb.json(['add', 'block', '--repo', repo, '--profile', 'blocker']);
    await watch.status(1, 'running');
    await sb.json(['add', 'count', '--repo', repo, '--profile', 'counter']);
    expect((await sb.json(['show', '2'])).task.status).toBe('queued');

    const follow = spawn(process.execPath, [ERRAND_BIN, 'logs', '2', '--follow'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    follow.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const followExit = new Promise<number | null>((resolve) => follow.on('close', (code) => resolve(code)));
    let exitedEarly = false;
    void followExit.then(() => (exitedEarly = true));
    // The follower is connected (next to the event watcher and this status request) while task 2 still waits.
    await waitUntil(async () => exitedEarly || (await sb.json(['daemon', 'status'])).clients === 3, 'the follower to connect');
    expect((await sb.json(['show', '2'])).task.status).toBe('queued');
    writeFileSync(go, '');

    expect(await followExit).toBe(0);
    expect((await sb.json(['show', '2'])).task.status).toBe('succeeded');
    expect(out.split('\r\n').filter((l) => l.startsWith('line '))).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));
    expect(out).toBe(await logsOf(2));
  });
});

/** Waits until a log file has not grown for `quietMs` (polling, with a deadline). */
async function waitForQuietLog(path: string, quietMs: number): Promise<void> {
  let size = -1;
  let since = Date.now();
  await waitUntil(() => {
    const now = statSync(path).size;
    if (now !== size) [size, since] = [now, Date.now()];
    return Date.now() - since >= quietMs;
  }, `${path} to stay quiet for ${quietMs} ms`);
}
