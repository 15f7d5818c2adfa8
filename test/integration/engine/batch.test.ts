// errand batch: many tasks filed as one group in one transaction, shown with k of n done and failures, the failed
// ones retried; bad input (blank lines, too many lines, invalid JSON, a prompt too long) files nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BATCH_TASKS, MAX_PROMPT_CHARS } from '../../../shared/protocol/limits.js';
import type { EventWatcher } from '../../support/event-watcher.js';
import { startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { RawSocket } from '../../support/raw-socket.js';
import type { Sandbox } from '../../support/sandbox.js';

describe('errand batch', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo('app');
    await sb.fakeProfile('ok', ['say', 'done']);
    await sb.fakeProfile('bad', ['say', 'giving up', 'exit', '3']);
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  /** Nothing was filed: no task, no group. */
  async function expectNothingFiled(): Promise<void> {
    expect((await sb.json(['ls'])).total).toBe(0);
    expect((await sb.json(['batch', 'ls'])).groups).toEqual([]);
  }

  it('files one task per line, blank lines skipped, as one group that ls marks', async () => {
    const group = await sb.json(['batch', '--repo', repo, '--profile', 'ok'], { input: '[docs] first task\n\n   \nsecond task\r\nthird task' });
    expect(group).toMatchObject({ id: 1, kind: 'batch', total: 3, taskIds: [1, 2, 3] });
    const created = watch.events.find((e) => e.type === 'group.created');
    expect(created).toMatchObject({ groupId: 1, kind: 'batch', taskIds: [1, 2, 3] });
    for (const id of [1, 2, 3]) await watch.status(id, 'succeeded');

    const { tasks } = await sb.json(['ls']);
    expect(tasks.map((t: any) => [t.prompt, t.group])).toEqual([
      ['third task', { id: 1, kind: 'batch' }],
      ['second task', { id: 1, kind: 'batch' }],
      ['[docs] first task', { id: 1, kind: 'batch' }],
    ]);
    const human = await sb.errand(['ls']);
    expect(human.stdout).toMatch(/GROUP/);
    expect(human.stdout).toMatch(/second task/);
    expect(human.stdout.match(/batch 1/g)).toHaveLength(3);
    expect((await sb.errand(['batch', 'show', '1'])).stdout).toMatch(/^batch 1: 3 of 3 done/);

    const file = join(sb.root, 'more-tasks.txt');
    writeFileSync(file, 'fourth\nfifth\n');
    expect(await sb.json(['batch', '--repo', repo, '--profile', 'ok', '--file', file])).toMatchObject({ id: 2, taskIds: [4, 5] });
    expect((await sb.json(['batch', 'ls'])).groups.map((g: any) => [g.id, g.total])).toEqual([
      [2, 2],
      [1, 3],
    ]);
  });

  it('shows k of n done with the failures, and retries only the failed ones', async () => {
    const tasks = JSON.stringify([{ prompt: 'works' }, { prompt: 'breaks', profile: 'bad' }, 'works too', { prompt: 'breaks too', profile: 'bad', priority: 5 }]);
    const group = await sb.json(['batch', '--repo', repo, '--profile', 'ok'], { input: tasks });
    expect(group.total).toBe(4);
    for (const id of [1, 3]) await watch.status(id, 'succeeded');
    for (const id of [2, 4]) await watch.status(id, 'failed');

    const shown = await sb.json(['batch', 'show', '1']);
    expect(shown.group).toMatchObject({ total: 4, succeeded: 2, failed: 2, running: 0, queued: 0 });
    expect(shown.tasks.map((t: any) => [t.id, t.profile, t.priority, t.status])).toEqual([
      [1, 'ok', 0, 'succeeded'],
      [2, 'bad', 0, 'failed'],
      [3, 'ok', 0, 'succeeded'],
      [4, 'bad', 5, 'failed'],
    ]);
    const text = (await sb.errand(['batch', 'show', '1'])).stdout;
    expect(text).toMatch(/^batch 1: 2 of 4 done, 2 failed/);
    expect(text).toMatch(/failures:\n {2}task 2 failed.*\n {2}task 4 failed/);
    expect((await sb.errand(['batch', 'ls'])).stdout).toMatch(/batch 1 +1–4 +2 of 4 done, 2 failed/);

    const retried = await sb.json(['batch', 'retry', '1', '--failed']);
    expect(retried.retried).toEqual([2, 4]);
    for (const id of [2, 4]) {
      const run = watch.events.find((e) => e.type === 'run.created' && e.run.taskId === id && e.run.attempt === 2);
      expect(run).toBeDefined();
    }
    await watch.waitFor((e) => e.type === 'run.status' && e.taskId === 4 && e.status === 'failed' && e.runId !== shown.tasks[3].run.id, 'task 4 failed again');
    for (const id of [1, 3]) expect((await sb.json(['show', String(id)])).runs).toHaveLength(1);
    // A group that does not exist, and retry without saying which, are refused.
    const none = await sb.errand(['batch', 'retry', '99', '--failed']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no batch or best-of group 99/);
    expect((await sb.errand(['batch', 'retry', '1'])).stderr).toMatch(/--failed/);
  });

  it('refuses invalid JSON, and files nothing', async () => {
    const bad = await sb.errand(['batch', '--repo', repo, '--profile', 'ok', '--json'], { input: '["one", "two",\n' });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error.message).toMatch(/not valid JSON.*Nothing was filed/);
    for (const input of ['{"prompt": "x"}', '["x", 2]', '[{"prompt": 3}]', '[{"prompt": "x", "cmd": "y"}]', '[]', '\n\n  \n', '[\n  {"prompt": "x"},\n']) {
      const refused = await sb.errand(['batch', '--repo', repo, '--profile', 'ok'], { input });
      expect(refused.code, input).toBe(1);
      expect(refused.stderr, input).toMatch(/Nothing was filed/);
    }
    await expectNothingFiled();
  });

  it('refuses 10,000 lines clearly (over one batch) and files nothing; the engine refuses such a request too', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `task number ${i + 1}`).join('\n');
    const refused = await sb.errand(['batch', '--repo', repo, '--profile', 'ok'], { input: lines });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The batch has 10000 tasks, and one batch files at most ${MAX_BATCH_TASKS}; split it into several files`);

    // Past the CLI: the engine's own limits refuse it whole, at any size.
    const socket = await RawSocket.open(join(sb.dataDir, 'engine.sock'));
    const request = (id: number, count: number) =>
      `${JSON.stringify({ jsonrpc: '2.0', id, method: 'batch.create', params: { repo, profile: 'ok', tasks: Array.from({ length: count }, (_, i) => ({ prompt: `p${i}`, line: i + 1 })) } })}\n`;
    await socket.write(request(1, 10_000));
    await socket.write(request(2, MAX_BATCH_TASKS + 1));
    const tooMany = await socket.waitFor((m) => m.error && (m.id === 1 || m.id === null), 'the 10,000 refusal');
    expect(tooMany.error.code).toBe('invalid_request');
    const overLimit = await socket.waitFor((m) => m.id === 2, 'the over-limit refusal');
    expect(overLimit.error.message).toMatch(new RegExp(`more than ${MAX_BATCH_TASKS} tasks`));
    socket.close();
    await expectNothingFiled();

    // Exactly the most one batch takes is filed, whole, with the largest task shape.
    const most = JSON.stringify(Array.from({ length: MAX_BATCH_TASKS }, (_, i) => ({ prompt: `p${i}`, profile: 'ok', priority: -1 })));
    await sb.json(['config', 'set', 'max-running', '1']);
    const filed = await sb.json(['batch', '--repo', repo, '--profile', 'ok'], { input: most });
    expect(filed.total).toBe(MAX_BATCH_TASKS);
    await sb.errand(['cancel', '1']);
  });

  it('names the line of a prompt too long (line 7), and of an unknown profile, and files nothing', async () => {
    const lines = ['a', 'b', '', 'c', 'd', 'e', 'x'.repeat(MAX_PROMPT_CHARS + 1), 'f'].join('\n');
    const refused = await sb.errand(['batch', '--repo', repo, '--profile', 'ok'], { input: lines });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/The prompt on line 7 is 4194305 characters, over the 4194304-character limit/);
    await expectNothingFiled();

    const unknown = await sb.errand(['batch', '--repo', repo, '--profile', 'nope'], { input: 'one\n\ntwo\n' });
    expect(unknown.stderr).toMatch(/There is no profile "nope" \(line 1\); nothing was filed/);
    const json = JSON.stringify([{ prompt: 'a' }, { prompt: 'b', profile: 'ghost' }]);
    const unknownItem = await sb.errand(['batch', '--repo', repo, '--profile', 'ok'], { input: json });
    expect(unknownItem.stderr).toMatch(/There is no profile "ghost" \(task 2 of the batch\)/);
    const noProfile = await sb.errand(['batch', '--repo', repo], { input: 'one\ntwo\n' });
    expect(noProfile.stderr).toMatch(/line 1 names no profile/);
    await expectNothingFiled();
  });
});
