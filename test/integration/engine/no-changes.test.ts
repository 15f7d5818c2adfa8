// A run that succeeds having changed nothing says so wherever its verdict is shown: a task that needed work and did
// none must not read as plain success. A run that edited a file, or committed its work, does not.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

const NO_CHANGES = 'no changes in the worktree';
type Attention = Extract<EngineEvent, { type: 'attention' }>;

describe('a succeeded run that changed nothing', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
  });
  afterEach(() => stopWatchedEngine({ sb, watch }));

  const finished = (taskId: number) =>
    watch.waitFor<Attention>((e) => e.type === 'attention' && e.taskId === taskId && e.kind === 'finished', `task ${taskId} finished`);

  it('says "no changes" in its event, its attention, show and ls', async () => {
    await sb.fakeProfile('idle', ['say', 'The answer is 42.']);
    await sb.json(['add', 'what is the answer?', '--repo', repo, '--profile', 'idle']);
    const done = await watch.status(1, 'succeeded');
    expect(done.reason).toBe(NO_CHANGES);
    expect((await finished(1)).message).toBe(NO_CHANGES);
    const { runs } = await sb.json(['show', '1']);
    expect(runs[0]).toMatchObject({ status: 'succeeded', reason: NO_CHANGES, progress: { filesChanged: 0 } });
    const shown = (await sb.errand(['show', '1'])).stdout;
    expect(shown).toContain(`task 1  succeeded · ${NO_CHANGES}: 0 files changed`);
    expect(shown).toContain(`reason  ${NO_CHANGES}`);
    expect((await sb.errand(['ls'])).stdout).toMatch(new RegExp(`1\\s+succeeded · ${NO_CHANGES}: 0 files changed\\s+\\d+s\\s+idle`));
  });

  it('says so beside a passed check, which it does not replace', async () => {
    await sb.json(['repo', 'add', repo, '--check', 'true']);
    await sb.fakeProfile('idle', ['say', 'Nothing needed doing.']);
    await sb.json(['add', 'is anything broken?', '--repo', repo, '--profile', 'idle']);
    const ended = await watch.ended(1);
    expect(ended).toMatchObject({ status: 'succeeded', reason: `${NO_CHANGES}; check passed` });
    expect((await finished(1)).message).toBe(`${NO_CHANGES}; check passed`);
    expect((await sb.errand(['show', '1'])).stdout).toContain(`reason  ${NO_CHANGES}; check passed`);
    // The check's words are "check passed"; the agent's part is said beside them, in ls and review too.
    expect((await sb.errand(['ls'])).stdout).toMatch(new RegExp(`1\\s+succeeded · ${NO_CHANGES}: check passed`));
    expect((await sb.errand(['review', '1'])).stdout).toContain(`agent    ${NO_CHANGES}`);
  });

  it('says nothing of the kind when the run edited a file, or committed its work', async () => {
    await sb.fakeProfile('editor', ['edit', 'out.txt', 'made by the agent']);
    const commit = 'printf done > out.txt && git add out.txt && git -c user.name=errand -c user.email=errand@example.com commit -qm out';
    const added = await sb.errand(['profile', 'add', 'committer', '--', '/bin/sh', '-c', commit]);
    expect(added.code).toBe(0);
    await sb.json(['add', 'write out.txt', '--repo', repo, '--profile', 'editor']);
    await sb.json(['add', 'commit out.txt', '--repo', repo, '--profile', 'committer']);
    for (const id of [1, 2]) {
      expect((await watch.status(id, 'succeeded')).reason).toBeNull();
      expect((await finished(id)).message).toBe('succeeded');
    }
    const { tasks } = await sb.json(['ls']);
    expect(tasks.map((t: { run: { reason: string | null } }) => t.run.reason)).toEqual([null, null]);
    // The committed run left no file changed: its commit beyond the base is the work.
    expect((await sb.json(['show', '2'])).runs[0].progress.filesChanged).toBe(0);
    const ls = (await sb.errand(['ls'])).stdout;
    expect(ls).not.toContain(NO_CHANGES);
    expect(ls).toMatch(/1\s+succeeded: 1 file changed/);
  });
});
