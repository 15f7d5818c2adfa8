// What a person can get wrong, and what the world can pull from under a task: huge and broken prompts, a profile
// whose program is missing, a repo that vanishes while its task waits, paths that are not usable repositories.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { FAKE_AGENT, Sandbox } from '../../support/sandbox.js';

const describePrompt = (text: string) =>
  `prompt ${Buffer.byteLength(text)} bytes sha256 ${createHash('sha256').update(text).digest('hex')}`;

/**
 * About 1 MB of varied text: several scripts, emoji, tabs, CRLF and LF, quotes and shell metacharacters. Its command
 * substitutions only touch canary files in `dir`, which must never appear: the prompt is text, never run.
 */
function megabytePrompt(dir: string): string {
  const substitutions = `$(touch ${join(dir, 'canary')}) \`touch ${join(dir, 'canary2')}\` `;
  const pieces = ['fix the parser; ', `${substitutions}"quoted" 'single' \\back\\slash `, 'مرحبا עברית 中文 🚀👩‍💻 ', '\ttab\r\n', 'line\n', 'ünïcödé '];
  const parts = ['Please do this carefully:\n'];
  for (let i = 0, bytes = 0; bytes < 1024 * 1024; i++) {
    parts.push(`${i}: ${pieces[i % pieces.length]}`);
    bytes += Buffer.byteLength(parts[parts.length - 1]!);
  }
  return `${parts.join('')}the end`;
}

async function counts(sb: Sandbox): Promise<{ tasks: number; repos: number; profiles: number }> {
  return {
    tasks: (await sb.json(['ls'])).total,
    repos: (await sb.json(['repo', 'ls'])).length,
    profiles: (await sb.json(['profile', 'ls'])).length,
  };
}

describe('bad input and a changing world', () => {
  let sb: Sandbox;
  let watch: EventWatcher;

  beforeEach(async () => ({ sb, watch } = await startWatchedEngine()));
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it('carries a 1 MB prompt from stdin to the agent intact, through {prompt_file} and through stdin', async () => {
    const repo = sb.repo();
    const prompt = megabytePrompt(sb.root);
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(1024 * 1024);
    await sb.fakeProfile('via-file', ['prompt-file', '{prompt_file}']);
    await sb.fakeProfile('via-stdin', ['prompt-stdin']);

    for (const profile of ['via-file', 'via-stdin']) {
      const added = await sb.errand(['add', '-', '--repo', repo, '--profile', profile, '--json'], { input: prompt });
      expect(added.code, added.stderr).toBe(0);
    }
    await watch.status(1, 'succeeded');
    await watch.status(2, 'succeeded');

    const expected = describePrompt(prompt);
    for (const id of ['1', '2']) {
      expect((await sb.errand(['logs', id])).stdout).toContain(expected);
      expect((await sb.json(['show', id])).task.prompt).toBe(prompt);
    }
    expect(existsSync(join(sb.root, 'canary'))).toBe(false);
    expect(existsSync(join(sb.root, 'canary2'))).toBe(false);
  });

  it('fails a 1 MB prompt given as {prompt} in one argument, saying why and what to use instead', async () => {
    const repo = sb.repo();
    const prompt = megabytePrompt(sb.root);
    await sb.fakeProfile('as-arg', ['prompt-arg', '{prompt}']);
    const added = await sb.errand(['add', '-', '--repo', repo, '--profile', 'as-arg'], { input: prompt });
    expect(added.code, added.stderr).toBe(0);
    const failed = await watch.status(1, 'failed');
    expect(failed.reason).toContain(`${Buffer.byteLength(prompt)} bytes`);
    expect(failed.reason).toContain('128 KiB');
    expect(failed.reason).toContain('{prompt_file}');
    // The agent never started, and the task is kept for a retry with a fixed profile.
    expect((await sb.errand(['logs', '1'])).stdout).not.toContain('sha256');
    expect((await sb.json(['show', '1'])).task.prompt).toBe(prompt);
  });

  it('refuses a prompt with NUL bytes with a clear message, and stores nothing', async () => {
    const repo = sb.repo();
    await sb.fakeProfile('fake', ['prompt-file', '{prompt_file}']);
    const before = await counts(sb);
    for (const input of ['before\u0000after', '\u0000', 'trailing NUL\u0000']) {
      const result = await sb.errand(['add', '-', '--repo', repo, '--profile', 'fake'], { input });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/NUL/);
      expect(result.stderr).toMatch(/prompt/);
    }
    // Through a file too, and as JSON with --json.
    const file = join(sb.root, 'nul-prompt.txt');
    writeFileSync(file, Buffer.from('a\0b'));
    const viaFile = await sb.errand(['add', '--prompt-file', file, '--repo', repo, '--profile', 'fake', '--json']);
    expect(viaFile.code).toBe(1);
    expect(JSON.parse(viaFile.stdout).error.code).toBe('invalid_params');
    expect(await counts(sb)).toEqual(before);
  });

  it('fails a run whose program does not exist with "not found: …", keeps the task, and retries it once the profile is fixed', async () => {
    const repo = sb.repo();
    await sb.errand(['profile', 'add', 'ghost', '--', '/nonexistent/dir/agent-bin', '--file', '{prompt_file}']);
    await sb.errand(['profile', 'add', 'ghost-on-path', '--', 'errand-no-such-agent-xyz', '{prompt_file}']);
    await sb.json(['add', 'do the thing', '--repo', repo, '--profile', 'ghost']);
    await sb.json(['add', 'do the other thing', '--repo', repo, '--profile', 'ghost-on-path']);

    const byPath = await watch.status(1, 'failed');
    expect(byPath.reason).toMatch(/^not found: \/nonexistent\/dir\/agent-bin\b/);
    const byName = await watch.status(2, 'failed');
    expect(byName.reason).toMatch(/^not found: errand-no-such-agent-xyz\b/);
    expect(byName.reason).toContain('PATH');

    const kept = await sb.json(['show', '1']);
    expect(kept.task).toMatchObject({ id: 1, prompt: 'do the thing', profile: 'ghost', status: 'failed' });
    expect(kept.runs).toHaveLength(1);

    const fixed = await sb.errand(['profile', 'add', 'ghost', '--replace', '--', process.execPath, FAKE_AGENT, 'prompt-file', '{prompt_file}']);
    expect(fixed.code, fixed.stderr).toBe(0);
    const retried = await sb.errand(['retry', '1']);
    expect(retried.code, retried.stderr).toBe(0);
    await watch.waitFor((e) => e.type === 'run.status' && e.taskId === 1 && e.status === 'succeeded', 'task 1 to succeed on retry');

    const after = await sb.json(['show', '1']);
    expect(after.task.profile).toBe('ghost');
    expect(after.runs.map((r: any) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    expect((await sb.errand(['logs', '1'])).stdout).toContain(describePrompt('do the thing'));
  });

  it('fails a queued task whose repo vanished with a reason naming the repository, and carries on', async () => {
    const stays = sb.repo('stays');
    const vanishes = sb.repo('vanishes');
    await sb.json(['config', 'set', 'max-running', '1']);
    await sb.fakeProfile('asks', ['ask', 'Proceed?', 'say', 'done asking']);
    await sb.fakeProfile('quick', ['say', 'quick one']);

    await sb.json(['add', 'first, blocks on a question', '--repo', stays, '--profile', 'asks']);
    await watch.status(1, 'running');
    await sb.json(['add', 'second, waits its turn', '--repo', vanishes, '--profile', 'quick']);
    const queued = (await sb.json(['ls'])).tasks.find((t: any) => t.id === 2);
    expect(queued).toMatchObject({ status: 'queued', waitReason: 'global_cap' });

    rmSync(vanishes, { recursive: true, force: true });
    expect((await sb.errand(['send', '1', 'y'])).code).toBe(0);
    await watch.status(1, 'succeeded');
    const failed = await watch.status(2, 'failed');
    expect(failed.reason).toMatch(/repositor/i);
    expect(failed.reason).toContain(vanishes);

    // The engine is the same one, and still runs work.
    const status = await sb.json(['daemon', 'status']);
    expect(status.up).toBe(true);
    await sb.json(['add', 'third, after the mishap', '--repo', stays, '--profile', 'quick']);
    await watch.status(3, 'succeeded');
    expect((await sb.json(['daemon', 'status'])).pid).toBe(status.pid);
  });

  it('refuses a path that is not a usable git repository, in one line, storing nothing', async () => {
    await sb.fakeProfile('fake', ['say', 'hi']);
    const plain = join(sb.root, 'plain-dir');
    mkdirSync(plain);
    writeFileSync(join(plain, 'notes.txt'), 'not a repo\n');
    const empty = join(sb.root, 'no-commits');
    mkdirSync(empty);
    sb.git(empty, 'init', '-q', '-b', 'main');
    const file = join(plain, 'notes.txt');
    const missing = join(sb.root, 'does-not-exist');
    const before = await counts(sb);

    const cases: [string, RegExp][] = [
      [plain, /is not a git repository/],
      [empty, /has no commits yet/],
      [file, /is not a directory/],
      [missing, /does not exist/],
    ];
    for (const [path, message] of cases) {
      for (const args of [
        ['add', 'do it', '--repo', path, '--profile', 'fake'],
        ['repo', 'add', path],
      ]) {
        const result = await sb.errand(args);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        const lines = result.stderr.trim().split('\n');
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(message);
        expect(lines[0]).toContain(path);
        expect(result.stdout).toBe('');
      }
    }
    expect(await counts(sb)).toEqual(before);
  });
});
