// What a profile may ask of the engine: a needs-input pattern never stalls it, and a template never splices the
// prompt into code. Both are refused when the profile is saved, and a profile saved before the rules fails its run.
import Database from 'better-sqlite3';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { FAKE_AGENT, Sandbox } from '../../support/sandbox.js';

/** One answer from a responsive engine, including the CLI's own start (~0.2 s), on a busy 2-core machine. */
const ANSWER_MS = 2_000;

describe('profile rules', () => {
  let sb: Sandbox;
  let watch: EventWatcher;

  beforeEach(async () => ({ sb, watch } = await startWatchedEngine()));
  afterEach(() => stopWatchedEngine({ sb, watch }));

  it('keeps answering while a needs-input pattern that backtracks exponentially in JavaScript meets 40 a\'s and "!"', async () => {
    const repo = sb.repo();
    const go = join(sb.root, 'go');
    const steps = ['say', `${'a'.repeat(40)}!`, 'say', 'Continue? aaa', 'wait-file', go];
    // 1 s of quiet, so the two lines arrive together; whatever the engine's own lines above them hold (paths, branch
    // names, wrapped at 120 columns), the setup command's line comes after them and does not end in a's.
    await sb.fakeProfile('redos', steps, ['--needs-input', '(a+)+$', '--quiet-ms', '1000']);
    await sb.json(['repo', 'add', repo, '--setup', 'echo setup done']);
    await sb.json(['add', 'go', '--repo', repo, '--profile', 'redos']);
    await watch.waitFor((e) => e.type === 'run.activity' && e.taskId === 1, 'the agent to print');
    let asked: string | null | undefined;
    const question = watch.status(1, 'needs_input').then((e) => (asked = e.question));
    question.catch(() => undefined); // Awaited below; failing meanwhile must not surface as an unhandled rejection.

    // Four calls at least, and on until the quiet check has run: JavaScript's RegExp spun for minutes in it.
    for (let i = 0; i < 4 || asked === undefined; i++) {
      const started = Date.now();
      const listed = await sb.errand(['ls', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      expect(Date.now() - started, `errand ls #${i + 1}`).toBeLessThan(ANSWER_MS);
    }
    // The pattern still works: the last line ends in a's, and is the question.
    expect(await question).toBe('Continue? aaa');
    writeFileSync(go, '');
    await watch.status(1, 'succeeded');
  });

  it('refuses at profile add a pattern RE2 cannot run in linear time, saying what is not supported, and stores nothing', async () => {
    for (const pattern of ['(a)\\1', 'done(?=\\.)']) {
      const added = await sb.errand(['profile', 'add', 'backref', '--needs-input', pattern, '--', process.execPath, FAKE_AGENT]);
      expect(added.code).toBe(1);
      expect(added.stderr.trim().split('\n')).toHaveLength(1);
      expect(added.stderr).toContain('RE2');
      expect(added.stderr).toMatch(/backreferences \(\\1, \\k<name>\) and lookarounds .* are not supported/);
    }
    const big = await sb.errand(['profile', 'add', 'big', '--needs-input', '[a-z]{900}', '--', process.execPath, FAKE_AGENT]);
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('too complex');
    expect(await sb.json(['profile', 'ls'])).toEqual([]);
  });

  it('fails, before the agent starts and saying how to fix it, a run whose stored pattern RE2 cannot compile', async () => {
    const repo = sb.repo();
    const started = join(sb.root, 'agent-started');
    await sb.fakeProfile('old', ['marker', started, 'say', 'aa'], ['--needs-input', 'aa', '--quiet-ms', '100']);
    // As an older Errand, which took any JavaScript pattern, may have stored it.
    const db = new Database(join(sb.dataDir, 'errand.db'));
    try {
      db.prepare('UPDATE profiles SET needs_input = ? WHERE name = ?').run(JSON.stringify({ pattern: '(a)\\1', quietMs: 100, lines: 5 }), 'old');
    } finally {
      db.close();
    }
    await sb.json(['add', 'anything', '--repo', repo, '--profile', 'old']);
    const failed = await watch.status(1, 'failed');
    expect(failed.reason).toContain("The profile's --needs-input pattern /(a)\\1/ is not a pattern Errand can run");
    expect(failed.reason).toContain('errand profile add old --replace');
    expect(existsSync(started)).toBe(false);
    // The engine goes on: the next run works.
    await sb.fakeProfile('fine', ['say', 'ok']);
    await sb.json(['add', 'something else', '--repo', repo, '--profile', 'fine']);
    await watch.status(2, 'succeeded');
  });

  it('refuses at profile add a template that splices {prompt} into code, naming the safe ways', async () => {
    const spliced = await sb.errand(['profile', 'add', 'wrapped', '--', 'timeout', '600', 'sh', '-c', 'my-agent --task "{prompt}"']);
    expect(spliced.code).toBe(1);
    expect(spliced.stderr.trim().split('\n')).toHaveLength(1);
    expect(spliced.stderr).toContain('splices {prompt} into other text');
    expect(spliced.stderr).toContain('{prompt_file}');
    expect(spliced.stderr).toContain('stdin');
    expect(await sb.json(['profile', 'ls'])).toEqual([]);
    const whole = await sb.errand(['profile', 'add', 'whole', '--', 'my-agent', '--task={prompt}']);
    expect(whole.code, whole.stderr).toBe(0);
  });
});
