import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

describe('a task from add to done', () => {
  let sb: Sandbox;
  let watch: EventWatcher;

  beforeEach(async () => ({ sb, watch } = await startWatchedEngine()));
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it('runs the agent in its own worktree and branch, keeps its output, and reports success', async () => {
    const repo = sb.repo('app', { 'README.md': 'hi\n', '.gitignore': '.env\n' });
    writeFileSync(join(repo, '.env'), 'SECRET=1\n');
    await sb.json(['repo', 'add', repo, '--copy', '.env', '--setup', 'echo setting-up; test -f .env']);
    await sb.fakeProfile('fake', ['say', 'hello from the agent', 'edit', 'out.txt', 'made by agent', 'exit', '0']);
    const task = await sb.json(['add', 'write out.txt', '--repo', repo, '--profile', 'fake']);
    expect(task.id).toBe(1);
    const done = await watch.status(1, 'succeeded');
    expect(done.exitCode).toBe(0);

    const detail = await sb.json(['show', '1']);
    const run = detail.runs[0];
    expect(run.branch).toMatch(/^errand\/1-write-out-txt-[a-z0-9]{4}$/);
    expect(run.worktree.startsWith(join(sb.dataDir, 'worktrees'))).toBe(true);
    expect(readFileSync(join(run.worktree, 'out.txt'), 'utf8')).toBe('made by agent');
    expect(readFileSync(join(run.worktree, '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(existsSync(join(repo, 'out.txt'))).toBe(false);
    expect(sb.git(repo, 'branch', '--list', '--format=%(refname:short)', 'errand/*').trim()).toBe(run.branch);

    const logs = await sb.errand(['logs', '1']);
    expect(logs.stdout).toContain('setting-up');
    expect(logs.stdout).toContain('hello from the agent');

    const ls = await sb.json(['ls']);
    expect(ls.tasks[0]).toMatchObject({ id: 1, status: 'succeeded' });
    const human = await sb.errand(['ls']);
    expect(human.stdout).toMatch(/1\s+succeeded: 1 file changed\s+\d+s\s+fake/);
  });

  it("offers the repo's untracked agent configuration (MCP servers, CLI settings) to its worktrees, without replacing tracked files", async () => {
    const repo = sb.repo('app', { 'README.md': 'hi\n', 'opencode.json': '{"committed":true}\n' });
    const mcp = '{"mcpServers":{"docs":{"command":"docs-server"}}}\n';
    writeFileSync(join(repo, '.mcp.json'), mcp);
    mkdirSync(join(repo, '.claude'));
    writeFileSync(join(repo, '.claude/settings.local.json'), '{"permissions":{}}\n');
    writeFileSync(join(repo, 'opencode.json'), '{"edited":true}\n');
    await sb.fakeProfile('fake', ['say', 'ok']);
    await sb.json(['add', 'look around', '--repo', repo, '--profile', 'fake']);
    await watch.status(1, 'succeeded');
    const { worktree } = (await sb.json(['show', '1'])).runs[0];
    expect(readFileSync(join(worktree, '.mcp.json'), 'utf8')).toBe(mcp);
    expect(readFileSync(join(worktree, '.claude/settings.local.json'), 'utf8')).toBe('{"permissions":{}}\n');
    // Tracked: the worktree has the committed file, as git checked it out.
    expect(readFileSync(join(worktree, 'opencode.json'), 'utf8')).toBe('{"committed":true}\n');
    expect((await sb.errand(['logs', '1'])).stdout).toContain('copied .mcp.json');
  });

  it('keeps shell metacharacters, unicode and RTL in a prompt as inert text', async () => {
    const repo = sb.repo();
    const canary = join(sb.root, 'canary');
    const prompt = `fix $(touch pwned) \`touch pwned2\`; $(touch ${canary}) && \`touch ${canary}2\` && echo "'" | ok 🚀 مرحبا עברית`;
    await sb.fakeProfile('echo', ['prompt-arg', '{prompt}', 'prompt-file', '{prompt_file}']);
    await sb.json(['add', prompt, '--repo', repo, '--profile', 'echo']);
    await watch.status(1, 'succeeded');
    const logs = (await sb.errand(['logs', '1'])).stdout;
    const digest = createHash('sha256').update(prompt).digest('hex');
    expect(logs.match(new RegExp(`prompt ${Buffer.byteLength(prompt)} bytes sha256 ${digest}`, 'g'))).toHaveLength(2);
    const detail = await sb.json(['show', '1']);
    expect(existsSync(join(detail.runs[0].worktree, 'pwned'))).toBe(false);
    expect(existsSync(join(detail.runs[0].worktree, 'pwned2'))).toBe(false);
    expect(existsSync(canary)).toBe(false);
    expect(existsSync(`${canary}2`)).toBe(false);
    expect(detail.task.prompt).toBe(prompt);
  });

  it('fails a run whose exit code is not 0, with the reason', async () => {
    const repo = sb.repo();
    await sb.fakeProfile('bad', ['say', 'oops', 'exit', '3']);
    await sb.json(['add', 'fail please', '--repo', repo, '--profile', 'bad']);
    const failed = await watch.status(1, 'failed');
    expect(failed.reason).toBe('exited with code 3');
    expect(failed.exitCode).toBe(3);
    await watch.waitFor((e) => e.type === 'attention' && e.kind === 'failed', 'attention');
  });
});
