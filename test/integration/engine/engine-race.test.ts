// One engine per data directory, whatever races to start one: two engines at once, many CLI commands at once on a
// fresh directory, and a start after an engine was killed with SIGKILL and left its socket and pid file behind.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventWatcher } from '../../support/event-watcher.js';
import { RawSocket } from '../../support/raw-socket.js';
import { ROOT, Sandbox } from '../../support/sandbox.js';

const ENGINE = join(ROOT, 'dist/engine.cjs');
const READY = 'errand-engine-ready';

interface EngineProc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

function startEngine(env: NodeJS.ProcessEnv): EngineProc {
  const child = spawn(process.execPath, [ENGINE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: EngineProc = { child, stdout: '', stderr: '', exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (d: Buffer) => (proc.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (proc.stderr += d.toString()));
  return proc;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** Live engine processes serving this data directory, found from /proc (command line and environment). */
function enginesFor(dataDir: string): number[] {
  const found = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('engine.cjs')) continue;
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`ERRAND_HOME=${dataDir}`)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (alive(pid)) found.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  // A child the engine is starting (git, an agent) looks like the engine until it has exec'd: it is not another one.
  return [...found].filter(([, ppid]) => !found.has(ppid)).map(([pid]) => pid).sort((a, b) => a - b);
}

async function until<T>(check: () => T, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function readPidFile(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'engine.pid'), 'utf8').trim());
}

describe('engines racing to start', () => {
  let sandboxes: Sandbox[] = [];
  const fresh = () => {
    const sb = new Sandbox();
    sandboxes.push(sb);
    return sb;
  };

  beforeEach(() => {
    sandboxes = [];
  });
  afterEach(async () => {
    for (const sb of sandboxes) {
      for (const pid of enginesFor(sb.dataDir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await sb.cleanup();
    }
  });

  it('lets exactly one of two engines started at once serve; the other exits 3 saying why', async () => {
    for (let round = 0; round < 5; round++) {
      const sb = fresh();
      const engines = [startEngine(sb.env), startEngine(sb.env)];
      const outcome = await until(() => {
        const ready = engines.filter((e) => e.stdout.includes(READY));
        const exited = engines.filter((e) => e.child.exitCode !== null);
        return ready.length + exited.length === 2 ? { ready, exited } : null;
      }, `round ${round}: both engines to settle`);
      const [winner] = outcome.ready;
      const [loser] = outcome.exited;
      expect(outcome.ready, `round ${round}: ${engines.map((e) => e.stderr).join(' | ')}`).toHaveLength(1);
      expect(outcome.exited).toHaveLength(1);
      expect(await loser!.exit).toBe(3);
      expect(loser!.stdout).not.toContain(READY);
      const lines = loser!.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/already running/);
      expect(lines[0]).toContain(sb.dataDir);

      expect(winner!.stdout).toContain(`${READY} ${winner!.child.pid}`);
      const socket = await RawSocket.open(join(sb.dataDir, 'engine.sock'));
      const status = await socket.request('engine.status');
      socket.close();
      expect(status.result.pid).toBe(winner!.child.pid);
      expect(readPidFile(sb.dataDir)).toBe(winner!.child.pid);
      expect(enginesFor(sb.dataDir)).toEqual([winner!.child.pid]);

      expect((await sb.errand(['daemon', 'stop'])).code).toBe(0);
      expect(await winner!.exit).toBe(0);
    }
  });

  it('serves many CLI commands started at once on a fresh data directory from one engine', async () => {
    for (let round = 0; round < 3; round++) {
      const sb = fresh();
      const repo = sb.repo();
      const commands = [
        ['ls', '--json'],
        ['daemon', 'start', '--json'],
        ['daemon', 'start', '--json'],
        ['profile', 'ls', '--json'],
        ['repo', 'ls', '--json'],
        ['config', 'get', '--json'],
        ['repo', 'add', repo, '--json'],
        ['profile', 'add', 'p', '--json', '--', process.execPath, '-v'],
      ];
      const results = await Promise.all(commands.map((args) => sb.errand(args)));
      results.forEach((r, i) => expect(r.code, `${commands[i]!.join(' ')}: ${r.stderr}`).toBe(0));

      const pid = readPidFile(sb.dataDir);
      for (const r of results.slice(1, 3)) expect(JSON.parse(r.stdout).pid).toBe(pid);
      // Engines that lost the race exit at once; exactly one stays.
      await until(() => enginesFor(sb.dataDir).length === 1, 'the losing engines to exit');
      expect(enginesFor(sb.dataDir)).toEqual([pid]);
      expect((await sb.json(['daemon', 'status'])).pid).toBe(pid);
      expect((await sb.json(['repo', 'ls'])).map((r: any) => r.path)).toEqual([repo]);
      expect((await sb.json(['profile', 'ls'])).map((p: any) => p.name)).toEqual(['p']);
    }
  });

  it('starts a new engine over the socket and pid file that a SIGKILLed engine left behind', async () => {
    const sb = fresh();
    const repo = sb.repo();
    await sb.errand(['daemon', 'start']);
    await sb.fakeProfile('asks', ['ask', 'Go on?']);
    await sb.fakeProfile('quick', ['say', 'after the crash']);
    const watch = await EventWatcher.start(sb);
    await sb.json(['add', 'interrupted by a crash', '--repo', repo, '--profile', 'asks']);
    await watch.status(1, 'running');
    watch.stop();

    const old = readPidFile(sb.dataDir);
    expect(enginesFor(sb.dataDir)).toEqual([old]);
    process.kill(old, 'SIGKILL');
    await until(() => !alive(old), 'the killed engine to die');
    // It could not clean up: both files are stale now.
    expect(existsSync(join(sb.dataDir, 'engine.sock'))).toBe(true);
    expect(readPidFile(sb.dataDir)).toBe(old);

    const ls = await sb.errand(['ls', '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    const pid = readPidFile(sb.dataDir);
    expect(pid).not.toBe(old);
    expect(enginesFor(sb.dataDir)).toEqual([pid]);
    expect(JSON.parse(ls.stdout).tasks[0]).toMatchObject({ id: 1, status: 'interrupted' });

    const again = await EventWatcher.start(sb);
    await sb.json(['add', 'after the crash', '--repo', repo, '--profile', 'quick']);
    await again.status(2, 'succeeded');
    again.stop();
    expect((await sb.json(['daemon', 'status'])).pid).toBe(pid);
  });
});
