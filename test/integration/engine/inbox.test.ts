// The inbox: what needs the person becomes a stored item (questions, results, failures), seen or not, in the badge
// count of engine.status and every inbox event, until what it asked for is dealt with; then it is history.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { ROOT, Sandbox } from '../../support/sandbox.js';

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;
const NO_CHANGES = 'no changes in the worktree';

describe('the inbox', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  const added = (taskId: number, kind: string) =>
    watch.waitFor<Ev<'inbox.added'>>((e) => e.type === 'inbox.added' && e.item.taskId === taskId && e.item.kind === kind, `an inbox ${kind} for task ${taskId}`);
  const resolved = (itemId: number) =>
    watch.waitFor<Ev<'inbox.resolved'>>((e) => e.type === 'inbox.resolved' && e.itemIds.includes(itemId), `item ${itemId} resolved`);

  it('holds a result that changed nothing, says so, counts it, and lets it go once dealt with', async () => {
    await sb.fakeProfile('idle', ['say', 'The answer is 42.']);
    await sb.json(['add', 'what is the answer?', '--repo', repo, '--profile', 'idle']);
    const item = (await added(1, 'result')).item;
    expect(item).toMatchObject({ kind: 'result', message: NO_CHANGES, seenAt: null, resolvedAt: null, prompt: 'what is the answer?' });
    expect((await sb.json(['daemon', 'status'])).inbox).toEqual({ open: 1, unseen: 1, snoozed: 0 });

    // No silent "done": the line says the branch changed nothing, and what to do next.
    const peeked = await sb.errand(['inbox', '--peek']);
    expect(peeked.stdout).toMatch(new RegExp(`i${item.id}\\s+new\\s+result\\s+1 .*${NO_CHANGES} · what is the answer\\?  → errand review 1`));
    expect(peeked.stdout).toContain('1 in the inbox (1 unseen)');
    // Shown is seen: the reply still says it was new, the count and an event say it is seen now.
    const shown = await sb.json(['inbox']);
    expect(shown.items.map((i: any) => [i.id, i.seenAt])).toEqual([[item.id, null]]);
    expect(shown.inbox).toEqual({ open: 1, unseen: 0, snoozed: 0 });
    expect(await watch.waitFor((e) => e.type === 'inbox.seen' && e.itemIds.includes(item.id), 'seen')).toMatchObject({ inbox: { unseen: 0 } });
    expect((await sb.json(['inbox'])).items[0].seenAt).not.toBeNull();

    await sb.json(['discard', '1', '--yes']);
    expect(await resolved(item.id)).toMatchObject({ resolution: 'discarded', inbox: { open: 0, unseen: 0, snoozed: 0 } });
    expect((await sb.json(['inbox'])).items).toEqual([]);
    expect((await sb.errand(['inbox'])).stdout).toContain('nothing needs you');
    const history = await sb.json(['inbox', '--all']);
    expect(history.items).toMatchObject([{ id: item.id, resolution: 'discarded' }]);
    expect((await sb.json(['daemon', 'status'])).inbox.open).toBe(0);
  });

  it('a question leaves when answered, a failure when retried or dismissed, and one result stands for a run', async () => {
    const go = join(sb.root, 'go');
    await sb.fakeProfile('asker', ['ask', 'Approve the migration? [y/N]', 'wait-file', go, 'edit', 'out.txt', 'x'], ['--needs-input', 'Approve .*\\?', '--quiet-ms', '300']);
    await sb.fakeProfile('broken', ['say', 'oops', 'exit', '3']);
    await sb.json(['add', 'migrate', '--repo', repo, '--profile', 'asker']);
    await sb.json(['add', 'break things', '--repo', repo, '--profile', 'broken']);
    const question = (await added(1, 'question')).item;
    expect(question.message).toBe('Approve the migration? [y/N]');
    const failure = (await added(2, 'failure')).item;
    expect(failure.message).toBe('exited with code 3');
    expect((await sb.errand(['inbox', '--peek'])).stdout).toMatch(/question .*→ errand reply 1 "…"/);

    await sb.json(['send', '1', 'y']);
    expect(await resolved(question.id)).toMatchObject({ resolution: 'answered' });
    writeFileSync(go, '');
    const result = (await added(1, 'result')).item;
    expect(result.message).toBe('succeeded');

    await sb.json(['retry', '2']);
    expect(await resolved(failure.id)).toMatchObject({ resolution: 'retried' });
    const again = await watch.waitFor<Ev<'inbox.added'>>((e) => e.type === 'inbox.added' && e.item.taskId === 2 && e.item.id !== failure.id, 'the second failure');
    const dismissed = await sb.json(['dismiss', `i${again.item.id}`]);
    expect(dismissed.itemIds).toEqual([again.item.id]);
    expect((await resolved(again.item.id)).resolution).toBe('dismissed');

    // A run's success and its review state both announce the result: it is one item.
    const listed = await sb.json(['inbox', '--all']);
    expect(listed.items.filter((i: any) => i.taskId === 1 && i.kind === 'result')).toHaveLength(1);
    // Newest first; the first question and failure came in either order.
    expect(listed.items.slice(0, 2).map((i: any) => [i.kind, i.resolution])).toEqual([
      ['failure', 'dismissed'],
      ['result', null],
    ]);
    expect(listed.items.slice(2).map((i: any) => `${i.kind} ${i.resolution}`).sort()).toEqual(['failure retried', 'question answered']);
    const filtered = await sb.json(['inbox', '--all', '--kind', 'failure', '--repo', repo]);
    expect(filtered.items.map((i: any) => i.kind)).toEqual(['failure', 'failure']);
    expect((await sb.json(['inbox', '--all', '--repo', 'no-such-repo'])).items).toEqual([]);
    expect((await sb.json(['inbox', '--all', '--limit', '1'])).items).toHaveLength(1);
  });

  it('a tool request is answered by allow or deny, and a result that was refused something says so', async () => {
    const fakeClaude = join(ROOT, 'test/fixtures/fake-claude.mjs');
    await sb.json(['profile', 'add', 'claude-asks', '--adapter', 'claude', '--binary', fakeClaude, '--', '--fake-permission']);
    await sb.json(['add', 'publish it', '--repo', repo, '--profile', 'claude-asks']);
    const request = (await added(1, 'tool_request')).item;
    expect(request.message).toBe('Claude wants to run: npm publish');
    expect((await sb.errand(['inbox', '--peek'])).stdout).toMatch(/tool request .*Claude wants to run: npm publish · publish it  → errand allow 1 \| deny 1/);
    await sb.json(['deny', '1']);
    expect((await resolved(request.id)).resolution).toBe('answered');
    const result = (await added(1, 'result')).item;
    expect(result.message).toBe(`you denied: npm publish · ${NO_CHANGES}`);
    expect((await sb.errand(['inbox', '--peek'])).stdout).toMatch(new RegExp(`result .*you denied: npm publish · ${NO_CHANGES} · publish it  → errand review 1`));
  });

  it('ten tasks finishing at once make one burst: "10 tasks finished"', async () => {
    const go = join(sb.root, 'go');
    await sb.json(['config', 'set', 'max-running', '10']);
    await sb.fakeProfile('waiter', ['say', 'ready', 'wait-file', go]);
    for (let i = 1; i <= 10; i++) await sb.json(['add', `task ${i}`, '--repo', repo, '--profile', 'waiter']);
    for (let i = 1; i <= 10; i++) await watch.status(i, 'running');
    writeFileSync(go, '');
    const burst = await watch.waitFor<Ev<'inbox.burst'>>((e) => e.type === 'inbox.burst', 'the burst', 60_000);
    expect(burst).toMatchObject({ count: 10, kinds: { result: 10 }, text: '10 tasks finished', nextDigestAt: null });
    // Without a digest, everything may interrupt.
    expect(burst.interrupt).toHaveLength(10);
    expect(burst.inbox).toEqual({ open: 10, unseen: 10, snoozed: 0 });
    expect(watch.events.filter((e) => e.type === 'inbox.added')).toHaveLength(10);
    expect(watch.events.filter((e) => e.type === 'inbox.burst')).toHaveLength(1);
  });

  it('keeps digest times; bad ones change nothing; with a digest, a result that blocks nothing waits for it', async () => {
    expect((await sb.errand(['digest'])).stdout).toContain('no digest: everything may interrupt');
    const set = await sb.json(['digest', '17:00,9:00,13:00']);
    expect(set.times).toEqual(['09:00', '13:00', '17:00']);
    expect(set.nextAt).toBeGreaterThan(Date.now());
    expect(set.nextAt - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    const bad = await sb.errand(['digest', '9:00,25:00']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"25:00" is not a time of day');
    expect((await sb.json(['digest'])).times).toEqual(['09:00', '13:00', '17:00']);

    await sb.fakeProfile('idle', ['say', 'hi']);
    await sb.json(['add', 'hello', '--repo', repo, '--profile', 'idle']);
    const burst = await watch.waitFor<Ev<'inbox.burst'>>((e) => e.type === 'inbox.burst', 'the burst');
    expect(burst).toMatchObject({ count: 1, text: '1 task finished', interrupt: [], nextDigestAt: set.nextAt });
    expect((await sb.errand(['inbox'])).stdout).toMatch(/1 in the inbox \(0 unseen\) · next digest \w{3} \d+ \w{3} \d\d:00/);
    expect((await sb.json(['digest', 'off'])).times).toEqual([]);
    expect((await sb.json(['inbox'])).nextDigestAt).toBeNull();
  });

  it('refuses what it cannot act on, and changes nothing', async () => {
    await sb.fakeProfile('idle', ['say', 'hi']);
    await sb.json(['add', 'hello', '--repo', repo, '--profile', 'idle']);
    const item = (await added(1, 'result')).item;
    const missing = await sb.errand(['seen', 'i999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('There is no inbox item i999');
    const noTask = await sb.errand(['dismiss', '42']);
    expect(noTask.stderr).toContain('There is no task 42');
    expect((await sb.errand(['seen', 'x1'])).code).toBe(2);
    expect((await sb.errand(['inbox', '--kind', 'Bad Kind'])).code).toBe(1);
    expect((await sb.json(['inbox', '--peek'])).items.map((i: any) => [i.id, i.seenAt, i.resolvedAt])).toEqual([[item.id, null, null]]);
    await sb.json(['dismiss', '1']);
    const twice = await sb.errand(['dismiss', `i${item.id}`]);
    expect(twice.stderr).toContain(`Item i${item.id} was dealt with already (dismissed)`);
  });
});
