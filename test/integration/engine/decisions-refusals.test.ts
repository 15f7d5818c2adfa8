// No silent "done": a succeeded run whose agent was refused something on the way says so in `ls`, `show` and `review`,
// with a check that passed too, and when the person answered a tool's request in words rather than allowing it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { ROOT, Sandbox } from '../../support/sandbox.js';
import { join } from 'node:path';

const FAKE_CLAUDE = join(ROOT, 'test/fixtures/fake-claude.mjs');

describe('a success that was refused something says so', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let repo: string;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    repo = sb.repo();
    await sb.json(['profile', 'add', 'asks', '--adapter', 'claude', '--binary', FAKE_CLAUDE, '--', '--fake-ask', 'npm run deploy']);
  });
  afterEach(async () => stopWatchedEngine({ sb, watch }));

  const said = async (id: number) => ({
    ls: (await sb.errand(['ls'])).stdout,
    show: (await sb.errand(['show', String(id)])).stdout,
    review: (await sb.errand(['review', String(id)])).stdout,
  });

  it('a denial, with the check passed: ls, show and review name it', async () => {
    await sb.json(['repo', 'add', repo, '--check', 'echo checked']);
    const { id } = await sb.json(['add', 'deploy it', '--repo', repo, '--profile', 'asks']);
    await watch.status(id, 'needs_input');
    await sb.json(['deny', String(id)]);
    const done = await watch.status(id, 'succeeded');
    expect(done.reason).toBe('you denied: npm run deploy; check passed');
    const { ls, show, review } = await said(id);
    expect(ls).toMatch(new RegExp(`${id}\\s+succeeded · you denied: npm run deploy: check passed`));
    expect(show).toContain('reason  you denied: npm run deploy; check passed');
    expect(review).toMatch(/\nagent {4}you denied: npm run deploy\n/);
    expect(review).toContain('check    passed: echo checked');
  });

  it("words for a tool's request deny it, and the success names it", async () => {
    const { id } = await sb.json(['add', 'deploy it', '--repo', repo, '--profile', 'asks']);
    await watch.status(id, 'needs_input');
    await sb.json(['reply', String(id), 'do not deploy; just build it']);
    const done = await watch.status(id, 'succeeded');
    expect(done.reason).toBe('you denied: npm run deploy');
    const { ls, show, review } = await said(id);
    expect(ls).toMatch(new RegExp(`${id}\\s+succeeded · you denied: npm run deploy`));
    expect(show).toContain('reason  you denied: npm run deploy');
    expect(review).toMatch(/\nagent {4}you denied: npm run deploy\n/);
  });

  it('a success with nothing to tell says nothing more', async () => {
    await sb.json(['repo', 'add', repo, '--check', 'echo checked']);
    const { id } = await sb.json(['add', 'deploy it', '--repo', repo, '--profile', 'asks']);
    await watch.status(id, 'needs_input');
    await sb.json(['allow', String(id)]);
    await watch.status(id, 'succeeded');
    const { ls, review } = await said(id);
    expect(ls).toMatch(new RegExp(`${id}\\s+succeeded: check passed`));
    expect(review).not.toMatch(/\nagent /);
  });
});
