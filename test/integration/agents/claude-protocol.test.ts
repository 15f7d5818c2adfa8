// The Claude adapter through the real engine, against a scripted stand-in that speaks Claude's stream-json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { isAlive, waitUntil } from '../../support/processes.js';
import { ROOT, Sandbox } from '../../support/sandbox.js';

const FAKE_CLAUDE = join(ROOT, 'test/fixtures/fake-claude.mjs');

describe('the Claude adapter speaking stream-json', () => {
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

  it('reports the result, session, todos, tokens and cost', async () => {
    await profile('claude-fake');
    await sb.json(['add', 'add a --dry-run flag', '--repo', repo, '--profile', 'claude-fake']);
    await watch.status(1, 'succeeded');
    const { task, runs } = await sb.json(['show', '1']);
    expect(runs[0].resultText).toBe('Done: add a --dry-run flag');
    expect(runs[0].sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(runs[0].progress).toMatchObject({ todosDone: 1, todosTotal: 3, inputTokens: 1500, outputTokens: 450, costUsd: 0.0123 });
    expect(runs[0].command).toEqual(expect.arrayContaining(['--permission-prompt-tool', 'stdio', '--session-id', runs[0].sessionId]));
    expect(task.status).toBe('succeeded');
    expect((await sb.errand(['ls'])).stdout).toMatch(/succeeded · no changes in the worktree: 1\/3 todos · 0 files changed · \$0\.01 · 2k tokens/);
  });

  it('asks the person before a tool runs, and continues once allowed', async () => {
    await profile('claude-asks', '--fake-permission');
    await sb.json(['add', 'publish it', '--repo', repo, '--profile', 'claude-asks']);
    const asked = await watch.status(1, 'needs_input');
    expect(asked.question).toBe('Claude wants to run: npm publish');
    const shown = await sb.errand(['show', '1']);
    expect(shown.stdout).toContain('errand allow 1 / errand deny 1');
    await sb.json(['allow', '1']);
    await watch.status(1, 'succeeded');
    const { runs } = await sb.json(['show', '1']);
    expect(readFileSync(join(runs[0].worktree, 'permitted.txt'), 'utf8')).toBe('npm publish was allowed\n');
  });

  it('says what the person denied, and a reply continues the same session', async () => {
    await profile('claude-asks', '--fake-permission');
    await sb.json(['add', 'publish it', '--repo', repo, '--profile', 'claude-asks']);
    await watch.status(1, 'needs_input');
    await sb.json(['deny', '1']);
    const denied = await watch.status(1, 'succeeded');
    expect(denied.reason).toBe('you denied: npm publish · no changes in the worktree');
    expect((await sb.errand(['ls'])).stdout).toMatch(/1\s+succeeded · you denied: npm publish · no changes in the worktree: /);
    const first = (await sb.json(['show', '1'])).runs[0];
    expect(existsSync(join(first.worktree, 'permitted.txt'))).toBe(false);

    const replied = await sb.json(['reply', '1', 'publish to the staging registry instead']);
    expect(replied.run).toMatchObject({ attempt: 2, kind: 'reply', sessionId: first.sessionId });
    await watch.waitFor((e) => e.type === 'run.status' && e.taskId === 1 && e.runId === replied.run.id && e.status === 'needs_input', 'the second ask');
    await sb.json(['allow', '1']);
    await watch.waitFor((e) => e.type === 'run.status' && e.runId === replied.run.id && e.status === 'succeeded', 'the reply run to succeed');
    const { runs } = await sb.json(['show', '1']);
    expect(runs[1].command).toEqual(expect.arrayContaining(['--resume', first.sessionId]));
    expect(runs[1].sessionId).toBe(first.sessionId);
    expect(runs[1].resultText).toBe('Done: publish to the staging registry instead');
  });

  it('fails with the API error even though the CLI exits 0', async () => {
    await profile('claude-500', '--fake-error');
    await sb.json(['add', 'anything', '--repo', repo, '--profile', 'claude-500']);
    const failed = await watch.status(1, 'failed');
    expect(failed.reason).toMatch(/^API error: API Error: 500/);
  });

  it('ends a CLI that lingers after its result, keeping the verdict', async () => {
    await profile('claude-linger', '--fake-linger');
    await sb.json(['add', 'stay', '--repo', repo, '--profile', 'claude-linger']);
    await watch.status(1, 'succeeded');
    await watch.waitFor((e) => e.type === 'attention' && e.taskId === 1, 'attention');
    await watch.ended(1);
    const { runs } = await sb.json(['show', '1']);
    expect(runs[0]).toMatchObject({ status: 'succeeded', pid: null });
  });

  it('resumes an interrupted run\'s session after the engine was killed', async () => {
    await profile('claude-asks', '--fake-permission');
    await sb.json(['add', 'publish it', '--repo', repo, '--profile', 'claude-asks']);
    await watch.status(1, 'needs_input');
    const first = (await sb.json(['show', '1'])).runs[0];
    const engine = await sb.json(['daemon', 'status']);
    watch.stop();
    process.kill(engine.pid, 'SIGKILL');
    await waitUntil(() => !isAlive(engine.pid), 'the engine to die');

    const after = await sb.json(['show', '1']);
    expect(after.runs[0]).toMatchObject({ status: 'interrupted', sessionId: first.sessionId });
    watch = await EventWatcher.start(sb);
    const resumed = await sb.json(['resume', '1']);
    expect(resumed.run).toMatchObject({ attempt: 2, kind: 'resume', sessionId: first.sessionId });
    await watch.waitFor((e) => e.type === 'run.status' && e.runId === resumed.run.id && e.status === 'needs_input', 'the resumed ask');
    await sb.json(['allow', '1']);
    await watch.waitFor((e) => e.type === 'run.status' && e.runId === resumed.run.id && e.status === 'succeeded', 'the resumed run to succeed');
    const { runs } = await sb.json(['show', '1']);
    expect(runs[1].command).toEqual(expect.arrayContaining(['--resume', first.sessionId]));
    expect(runs[1].resultText).toMatch(/^Done: Your previous session was interrupted/);
  });
});
