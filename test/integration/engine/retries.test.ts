// Retries and escalation: transient model errors (the scripted model server's 429 and 500) are retried on their own with
// backoff; the agent's own failure follows its profile's policy and ladder. Each attempt is a run with its own log.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../../fixtures/model-server.mjs';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

type Event = EventWatcher['events'][number];
const isRetry = (taskId: number) => (e: Event) => e.type === 'run.retry' && e.taskId === taskId;
const isFailedAttention = (taskId: number) => (e: Event) => e.type === 'attention' && e.taskId === taskId && e.kind === 'failed';

describe('retries and escalation', () => {
  let server: ModelServer;
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeAll(async () => {
    server = await startModelServer();
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
  });
  afterEach(async () => stopWatchedEngine({ sb, watch }));

  /** A command profile whose agent asks the scripted model, its endpoint watched by the engine. */
  const modelProfile = (name: string, steps: string[]) =>
    sb.fakeProfile(name, steps, ['--env', `OPENAI_BASE_URL=${server.url}`, '--model-url-env', 'OPENAI_BASE_URL']);

  it('retries a rate limit on its own after the backoff, in a new run with its own log, and keeps the reason', async () => {
    const marker = join(sb.root, 'asked-once');
    await modelProfile('quick', ['model-then', 'OPENAI_BASE_URL', marker, 'errand-http429', 'errand-plain']);
    await sb.json(['policy', 'set', 'quick', '--backoff', '3s']);
    await sb.json(['add', 'tidy up', '--repo', repo, '--profile', 'quick']);
    const retry = await watch.waitFor<Extract<Event, { type: 'run.retry' }>>(isRetry(1), 'the retry');
    expect(retry.retry).toEqual({ kind: 'transient', note: 'retried after a rate limit (429)', profile: 'quick' });
    expect(retry.startsAt - retry.at).toBe(3000);
    const waiting = (await sb.json(['show', '1'])).task;
    expect(waiting).toMatchObject({ status: 'queued', waitReason: 'retry_backoff' });
    expect(waiting.waitDetail).toMatch(/^attempt 2: retried after a rate limit \(429\), at /);

    await watch.status(1, 'succeeded');
    const { task, runs } = await sb.json(['show', '1']);
    expect(task.review).toBe('unreviewed');
    expect(runs.map((r: { attempt: number; status: string }) => [r.attempt, r.status])).toEqual([[1, 'failed'], [2, 'succeeded']]);
    expect(runs[0].reason).toMatch(/^API error: HTTP 429: .* \(then the agent exited with code 1\)$/);
    expect(runs[1].retry.note).toBe('retried after a rate limit (429)');
    expect(runs[1].startedAt - runs[0].endedAt).toBeGreaterThanOrEqual(2900);
    expect((await sb.errand(['logs', '1', '--run', String(runs[0].id)])).stdout).toMatch(/model answered 429/);
    expect((await sb.errand(['logs', '1', '--run', String(runs[1].id)])).stdout).toMatch(/model answered 200/);
    expect((await sb.errand(['show', '1'])).stdout).toMatch(/retries attempt 2: retried after a rate limit \(429\)/);
    expect(watch.events.filter(isFailedAttention(1))).toEqual([]);
  });

  it('retries a 5xx as often as the policy says, doubling the backoff, then tells the person', async () => {
    await modelProfile('quick', ['model', 'OPENAI_BASE_URL', 'errand-http500']);
    await sb.json(['policy', 'set', 'quick', '--backoff', '200ms', '--transient-retries', '2']);
    await sb.json(['add', 'tidy up', '--repo', repo, '--profile', 'quick']);
    const attention = await watch.waitFor<Extract<Event, { type: 'attention' }>>(isFailedAttention(1), 'the failure reaching the person');
    const { runs } = await sb.json(['show', '1']);
    expect(runs.map((r: { status: string }) => r.status)).toEqual(['failed', 'failed', 'failed']);
    expect(attention.runId).toBe(runs[2].id);
    expect(attention.message).toMatch(/^API error: HTTP 500/);
    const retries = watch.events.filter(isRetry(1)) as Extract<Event, { type: 'run.retry' }>[];
    expect(retries.map((e) => [e.retry.note, e.startsAt - e.at])).toEqual([
      ['retried after a model error (HTTP 500)', 200],
      ['retried after a model error (HTTP 500)', 400],
    ]);
    expect(watch.events.filter(isFailedAttention(1))).toHaveLength(1);
  });

  it('follows the policy for the agent’s own failure: retries, then escalates up the ladder', async () => {
    await sb.fakeProfile('quick', ['say', 'trying', 'exit', '3']);
    await sb.fakeProfile('deep', ['edit', 'fixed.txt', 'fixed\n']);
    const policy = await sb.json(['policy', 'set', 'quick', '--retries', '1', '--backoff', '200ms', '--escalate-to', 'deep']);
    expect(policy).toEqual({ profile: 'quick', retries: 1, backoffMs: 200, transientRetries: 3, escalateTo: 'deep' });
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'quick']);
    await watch.status(1, 'succeeded');
    const { task, runs } = await sb.json(['show', '1']);
    expect(task.review).toBe('unreviewed');
    expect(runs.map((r: { status: string }) => r.status)).toEqual(['failed', 'failed', 'succeeded']);
    expect(runs.map((r: { retry: { kind: string } | null }) => r.retry?.kind ?? null)).toEqual([null, 'retry', 'escalation']);
    const deep = (await sb.json(['profile', 'ls'])).find((p: { name: string }) => p.name === 'deep');
    expect(runs[2].profileId).toBe(deep.id);
    expect((await sb.errand(['show', '1'])).stdout).toMatch(
      /retries attempt 2: retried after: exited with code 3 · attempt 3: escalated to deep after: exited with code 3/,
    );
    expect(watch.events.filter(isRetry(1))).toHaveLength(2);
    expect(watch.events.filter(isFailedAttention(1))).toEqual([]);
  });

  it('does not retry the agent’s own failure without a policy', async () => {
    await sb.fakeProfile('quick', ['exit', '3']);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'quick']);
    await watch.waitFor(isFailedAttention(1), 'the failure reaching the person');
    expect((await sb.json(['show', '1'])).runs).toHaveLength(1);
    expect(watch.events.filter(isRetry(1))).toEqual([]);
  });

  it('keeps a retry’s backoff across a restart', async () => {
    const go = join(sb.root, 'go');
    writeFileSync(go, '');
    await sb.fakeProfile('quick', ['wait-file', go, 'exit', '3']);
    await sb.fakeProfile('deep', ['say', 'done']);
    await sb.json(['policy', 'set', 'quick', '--retries', '1', '--backoff', '1h', '--escalate-to', 'deep']);
    await sb.json(['add', 'fix it', '--repo', repo, '--profile', 'quick']);
    await watch.waitFor(isRetry(1), 'the retry');
    rmSync(go);
    watch.stop();
    await sb.errand(['daemon', 'stop']);
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
    expect((await sb.json(['show', '1'])).task).toMatchObject({ status: 'queued', waitReason: 'retry_backoff' });
    watch.stop();
    await sb.errand(['daemon', 'stop']);
    const db = new Database(join(sb.dataDir, 'errand.db'));
    db.prepare("UPDATE timers SET at = ? WHERE kind = 'retry'").run(Date.now() - 1000);
    db.close();
    await sb.errand(['daemon', 'start']);
    watch = await EventWatcher.start(sb);
    writeFileSync(go, '');
    await watch.waitFor((e) => e.type === 'run.retry' && e.retry.kind === 'escalation', 'the escalation after the second failure');
    await watch.status(1, 'succeeded');
    expect((await sb.json(['show', '1'])).runs.map((r: { status: string }) => r.status)).toEqual(['failed', 'failed', 'succeeded']);
  });

  it('refuses a bad policy and keeps the one stored', async () => {
    await sb.fakeProfile('quick', ['exit', '3']);
    await sb.fakeProfile('deep', ['exit', '3']);
    await sb.json(['policy', 'set', 'quick', '--escalate-to', 'deep']);
    const cases: [string[], RegExp][] = [
      [['policy', 'set', 'deep', '--escalate-to', 'quick'], /That ladder goes round: deep → quick → deep/],
      [['policy', 'set', 'quick', '--escalate-to', 'quick'], /goes round: quick → quick/],
      [['policy', 'set', 'quick', '--escalate-to', 'nobody'], /There is no profile "nobody"/],
      [['policy', 'set', 'nobody', '--retries', '1'], /There is no profile "nobody"/],
      [['policy', 'set', 'quick', '--backoff', 'soon'], /--backoff takes a duration/],
      [['policy', 'set', 'quick', '--retries', '1.5'], /--retries takes a whole number/],
    ];
    for (const [args, message] of cases) {
      const result = await sb.errand(args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr).toMatch(message);
    }
    expect((await sb.json(['policy', 'ls'])).policies).toEqual([
      { profile: 'quick', retries: 0, backoffMs: 30_000, transientRetries: 3, escalateTo: 'deep' },
    ]);
    const removal = await sb.errand(['profile', 'rm', 'deep']);
    expect(removal.stderr).toMatch(/retry ladder; it was kept/);
  });
});
