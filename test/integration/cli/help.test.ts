// Every command and subcommand answers --help (and -h) with its usage and options, on stdout, exit 0, and without
// contacting or starting the engine.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '../../support/sandbox.js';

/** Each invocation, and what its usage must say. */
const COMMANDS: [string[], RegExp][] = [
  [['add'], /usage: errand add "<prompt>" --repo <path>/],
  [['add', 'fix the parser', '--repo', '.'], /usage: errand add/],
  [['ls'], /usage: errand ls \[--status/],
  [['show'], /usage: errand show <id>/],
  [['show', '1'], /usage: errand show <id>/],
  [['search'], /usage: errand search <words>/],
  [['logs', '1'], /usage: errand logs <id> \[--follow\]/],
  [['attach', '1'], /usage: errand attach <id>/],
  [['send', '1', 'y'], /usage: errand send <id>/],
  [['cancel', '1'], /usage: errand cancel <id>/],
  [['retry', '1'], /usage: errand retry <id>/],
  [['clean', '1'], /usage: errand clean <id> \[--force\]/],
  [['watch'], /usage: errand watch/],
  [['agents'], /usage: errand agents/],
  [['models'], /usage: errand models/],
  [['backend'], /usage: errand backend add\|ls\|rm/],
  [['backend', 'add'], /usage: errand backend add <name> <url> --kind/],
  [['backend', 'add', 'lab', 'http://127.0.0.1:8080'], /usage: errand backend add/],
  [['backend', 'ls'], /usage: errand backend ls/],
  [['backend', 'rm'], /usage: errand backend rm <name>/],
  [['allow', '1'], /usage: errand allow <id>/],
  [['allow', '1'], /usage: errand allow <id> \[--always task\|repo\|profile\]/],
  [['rules'], /usage: errand rules ls \[--task <id>\] \| errand rules rm <id>/],
  [['rules', 'ls'], /usage: errand rules ls \[--task <id>\]/],
  [['rules', 'rm'], /usage: errand rules rm <id>/],
  [['deny', '1'], /usage: errand deny <id>/],
  [['reply', '1'], /usage: errand reply <id> "<message>"/],
  [['resume', '1'], /usage: errand resume <id>/],
  [['daemon'], /usage: errand daemon status\|start\|stop/],
  [['daemon', 'start'], /usage: errand daemon/],
  [['daemon', 'status'], /usage: errand daemon/],
  [['daemon', 'stop'], /usage: errand daemon/],
  [['profile'], /usage: errand profile add\|ls\|rm/],
  [['profile', 'add'], /usage: errand profile add <name>/],
  [['profile', 'add', 'mine'], /usage: errand profile add <name>/],
  [['profile', 'ls'], /usage: errand profile ls/],
  [['profile', 'rm'], /usage: errand profile rm <name>/],
  [['repo'], /usage: errand repo add <path>/],
  [['repo', 'add'], /usage: errand repo add <path> .*\n.*--check "<command>"/],
  [['repo', 'ls'], /usage: errand repo ls/],
  [['config'], /usage: errand config get/],
  [['config', 'get'], /usage: errand config get/],
  [['config', 'set'], /usage: errand config get \| errand config set max-running <N>/],
  [['db'], /usage: errand db check\n(.*\n)*errand db restore/],
  [['db', 'check'], /usage: errand db check/],
  [['db', 'restore'], /usage: errand db restore \[BACKUP\]/],
  [['review', '1'], /usage: errand review <id>/],
  [['approve', '1', '--merge'], /usage: errand approve <id> --merge \| --pr \| --keep-branch/],
  [['reject', '1'], /usage: errand reject <id> "<feedback>"/],
  [['discard', '1'], /usage: errand discard <id> \[--force\] \[--yes\]/],
  [['inbox'], /usage: errand inbox \[--kind .*\n(.*\n)*.*marked seen; --peek/],
  [['inbox', '--all'], /usage: errand inbox/],
  [['seen', 'i1'], /usage: errand seen <id>… \| --all/],
  [['dismiss', 'i1'], /usage: errand dismiss <id>…/],
  [['snooze', '9', '2h'], /usage: errand snooze <task-or-item> <when>\n.*"tomorrow 9am"/],
  [['wake', '9'], /usage: errand wake <task-or-item>/],
  [['digest'], /usage: errand digest \[<times> \| off\]/],
  [['add', 'x', '--repo', '.', '--best-of', 'a,b'], /--best-of a,b,c +instead of --profile/],
  [['batch'], /usage: errand batch --repo <path> \[--profile <name>\]/],
  [['batch', 'ls'], /usage: errand batch ls/],
  [['batch', 'show', '1'], /usage: errand batch show <id>/],
  [['batch', 'retry', '1'], /usage: errand batch retry <id> --failed/],
  [['batch', 'discard-others', '1'], /usage: errand batch discard-others <task-id> \[--yes\]/],
  [['after', '2', '1'], /usage: errand after <id> <prereq-id> \[--merge\]/],
  [['review', '1', '--compare'], /usage: errand review <id> \[--compare\]/],
  [['add', 'fix it', '--chain', 'plan-critique-implement'], /usage: errand add .*\[--chain <name>\]/],
  [['chain'], /usage: errand chain add <name>(.*\n)*.*errand chain edit <id>/],
  [['chain', 'add', 'mine'], /usage: errand chain add <name> --file <steps.txt \| ->.*\n.*\[NAME\]/],
  [['chain', 'ls'], /usage: errand chain ls/],
  [['chain', 'show', '1'], /usage: errand chain show <name \| task id>/],
  [['chain', 'rm', 'mine'], /usage: errand chain rm <name>/],
  [['chain', 'continue', '1'], /usage: errand chain continue <id>/],
  [['chain', 'skip', '1'], /usage: errand chain skip <id> \[--step <name>\]/],
  [['chain', 'edit', '1'], /usage: errand chain edit <id> --step <name>/],
  [['add', 'x', '--at', 'tonight 2am'], /usage: errand add .*\[--at "<when>"\]/],
  [['schedule'], /usage: errand schedule add "<when>" "<prompt>" --repo <path> --profile <name>/],
  [['schedule', 'add'], /usage: errand schedule add(.*\n)*.*every weekday 9:00/],
  [['schedule', 'ls'], /usage: errand schedule add(.*\n)*.*errand schedule ls/],
  [['schedule', 'show', '1'], /errand schedule ls \| show <id>/],
  [['schedule', 'edit', '1'], /errand schedule edit <id> \[--when "<when>"\]/],
  [['schedule', 'pause', '1'], /pause <id> \| resume <id> \| rm <id>/],
  [['policy'], /usage: errand policy set <profile> \[--retries N\] \[--backoff 30s\]/],
  [['policy', 'set', 'quick'], /--escalate-to <profile>\|none/],
  [['policy', 'ls'], /errand policy ls \| rm <profile>/],
  [['serve'], /usage: errand serve \[--port <N>\]/],
  [['approve', '1', '2', '--merge'], /errand approve <id> <id>… --merge   \(a merge train/],
  [['train'], /usage: errand train \[<train id>\]/],
  [['rebase', '1'], /usage: errand rebase <id>/],
  [['gc'], /usage: errand gc \[--yes\]\n.*dry run unless --yes/],
  [['ls', '--disk'], /errand ls --disk   the space each repo's worktrees take/],
];

describe('--help', () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = new Sandbox();
  });
  afterAll(() => sb.cleanup());

  it.each(COMMANDS)('errand %j --help prints its usage and options, and starts no engine', async (args, usage) => {
    for (const flag of ['--help', '-h']) {
      const result = await sb.errand([...args, flag]);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(usage);
      expect(result.stdout).toMatch(/\noptions:\n(.*\n)*  --json\n  --help, -h\n$/);
      expect(existsSync(join(sb.dataDir, 'engine.sock'))).toBe(false);
    }
  });

  it('lists the options a command parses', async () => {
    const { stdout } = await sb.errand(['repo', 'add', '--help']);
    for (const flag of ['--base <value>', '--setup <value>', '--copy <value>   (repeatable)', '--max-running <value>', '--check <value>', '--check-retries <value>', '--check-timeout <value>']) {
      expect(stdout).toContain(`  ${flag}\n`);
    }
    expect((await sb.errand(['logs', '--help'])).stdout).toContain('  --follow, -f\n');
  });

  it('answers errand help <command> [subcommand] the same way', async () => {
    const direct = await sb.errand(['profile', 'add', '--help']);
    const viaHelp = await sb.errand(['help', 'profile', 'add']);
    expect(viaHelp).toEqual(direct);
    expect((await sb.errand(['help'])).stdout).toMatch(/--help \(or errand help <command>\)/);
    expect(existsSync(join(sb.dataDir, 'engine.sock'))).toBe(false);
  });

  it("leaves a --help after -- to the profile's command", async () => {
    const result = await sb.errand(['profile', 'add', 'mine', '--', 'my-agent', '--help']);
    expect(result.stdout).not.toContain('usage:');
    expect(result.code).toBe(0);
    expect(existsSync(join(sb.dataDir, 'engine.sock'))).toBe(true);
  });
});
