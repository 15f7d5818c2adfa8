// Shared helpers for the benchmarks: a throwaway world (HOME and ERRAND_HOME in a temp dir), the real CLI,
// a raw socket client that sees each reply's engine-side elapsedMs, /proc readers, and result reporting.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ERRAND_BIN = join(ROOT, 'bin/errand.cjs');
export const ENGINE_JS = join(ROOT, 'dist/engine.cjs');
export const FAKE_AGENT = join(ROOT, 'test/fixtures/fake-agent.mjs');
export const READY_LINE = 'errand-engine-ready';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A temp root with its own HOME and ERRAND_HOME: nothing a benchmark does can touch the real home. */
export class Sandbox {
  constructor(label = 'bench') {
    this.root = realpathSync(mkdtempSync(join(tmpdir(), `errand-${label}-`)));
    this.dataDir = join(this.root, 'data');
    this.home = join(this.root, 'home');
    mkdirSync(this.home);
    this.env = { ...process.env, ERRAND_HOME: this.dataDir, HOME: this.home };
    delete this.env.NODE_OPTIONS;
    // `npm run bench` puts node_modules/.bin on PATH, where the pinned agent CLIs live; the engine would probe each
    // (`<cli> --version`) at every start, loading the machine while it is measured. The benchmarks use their own agents.
    this.env.PATH = (process.env.PATH ?? '')
      .split(':')
      .filter((dir) => !dir.endsWith('node_modules/.bin'))
      .join(':');
    delete this.env.npm_config_prefix;
    this.socket = join(this.dataDir, 'engine.sock');
    this.database = join(this.dataDir, 'errand.db');
  }

  gitEnv() {
    return { ...this.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  }

  /** A git repository with one commit. */
  repo(name = 'repo') {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true });
    const git = (...args) => execFileSync('git', args, { cwd: dir, env: this.gitEnv(), stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    writeFileSync(join(dir, 'README.md'), '# bench repo\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    return dir;
  }

  /** Runs the real `errand` command; resolves with its output and wall time. */
  errand(args) {
    return new Promise((resolvePromise, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [ERRAND_BIN, ...args], { env: this.env, cwd: this.root, stdio: ['ignore', 'pipe', 'pipe'] });
      const out = [];
      const err = [];
      child.stdout.on('data', (d) => out.push(d));
      child.stderr.on('data', (d) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) =>
        resolvePromise({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms: performance.now() - started }),
      );
    });
  }

  /** `errand … --json`, expecting success. */
  async json(args) {
    const r = await this.errand([...args, '--json']);
    if (r.code !== 0) throw new Error(`errand ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  /** A profile running the fake agent (an argv; the prompt never reaches a shell). */
  async fakeProfile(name, steps) {
    return this.profile(name, [process.execPath, FAKE_AGENT, ...steps]);
  }

  /** A profile running this argv. Never put {prompt} into code given to a shell or interpreter. */
  async profile(name, argv) {
    // --json goes before `--`: everything after it is the agent's argv.
    const r = await this.errand(['profile', 'add', name, '--json', '--', ...argv]);
    if (r.code !== 0) throw new Error(`profile add ${name} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  /** Starts the engine through the CLI and returns its pid. */
  async startEngine() {
    const status = await this.json(['daemon', 'start']);
    return status.pid;
  }

  async cleanup() {
    await this.errand(['daemon', 'stop', '--force']).catch(() => {});
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Starts dist/engine.cjs directly and resolves once it prints its ready line, with the time that took. */
export function spawnEngine(sandbox) {
  return new Promise((resolvePromise, reject) => {
    mkdirSync(sandbox.dataDir, { recursive: true, mode: 0o700 });
    const started = performance.now();
    const child = spawn(process.execPath, [ENGINE_JS], { env: sandbox.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise((r) => child.once('exit', (code) => r(code)));
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes(READY_LINE)) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolvePromise({ pid: child.pid, readyMs: performance.now() - started, exited, stderr: () => err });
      }
    });
    child.once('exit', (code) => reject(new Error(`engine exited ${code} before ready: ${err}`)));
  });
}

/** A raw JSON-RPC connection to the engine socket: replies carry the engine-side elapsedMs. */
export class RpcClient {
  static connect(socketPath) {
    return new Promise((resolvePromise, reject) => {
      const socket = connect(socketPath);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolvePromise(new RpcClient(socket));
      });
      socket.once('error', reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) this.onMessage(JSON.parse(line));
      }
    });
    socket.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('engine connection closed'));
      this.pending.clear();
    });
    socket.on('error', () => {});
  }

  onMessage(message) {
    if (message.method === 'event') {
      for (const listener of this.listeners) listener(message.params);
      return;
    }
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    const rttMs = performance.now() - p.started;
    if (message.error) p.reject(Object.assign(new Error(`${message.error.code}: ${message.error.message}`), { elapsedMs: message.elapsedMs }));
    else p.resolve({ result: message.result, elapsedMs: message.elapsedMs, rttMs });
  }

  /** Resolves with { result, elapsedMs (engine-side), rttMs (as seen here) }. */
  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolvePromise, reject) => {
      this.pending.set(id, { resolve: resolvePromise, reject, started: performance.now() });
      this.socket.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) })}\n`);
    });
  }

  onEvent(listener) {
    this.listeners.push(listener);
  }

  close() {
    this.socket.end();
  }
}

/** Watches run.status events and resolves when given tasks reach a final status. */
export class RunWatcher {
  static FINAL = new Set(['succeeded', 'failed', 'cancelled', 'interrupted', 'unknown']);

  static async start(socketPath) {
    const client = await RpcClient.connect(socketPath);
    const watcher = new RunWatcher(client);
    await client.request('events.subscribe');
    return watcher;
  }

  constructor(client) {
    this.client = client;
    /** taskId → [{ status, at, seenAt }] */
    this.statuses = new Map();
    this.waiters = [];
    client.onEvent((event) => {
      if (event.type !== 'run.status') return;
      const list = this.statuses.get(event.taskId) ?? [];
      list.push({ status: event.status, at: event.at, seenAt: Date.now(), reason: event.reason });
      this.statuses.set(event.taskId, list);
      this.waiters = this.waiters.filter((w) => (w.check() ? (w.resolve(), false) : true));
    });
  }

  finalOf(taskId) {
    return (this.statuses.get(taskId) ?? []).find((s) => RunWatcher.FINAL.has(s.status)) ?? null;
  }

  statusAt(taskId, status) {
    return (this.statuses.get(taskId) ?? []).find((s) => s.status === status)?.at ?? null;
  }

  /** Resolves when every task has ended; rejects after timeoutMs. */
  waitFinal(taskIds, timeoutMs = 120_000) {
    return this.waitAll(taskIds, (id) => this.finalOf(id), 'end', timeoutMs);
  }

  /** Resolves when every task has reached `status` (or ended). */
  waitStatus(taskIds, status, timeoutMs = 120_000) {
    return this.waitAll(taskIds, (id) => this.statusAt(id, status) !== null || this.finalOf(id), `be ${status}`, timeoutMs);
  }

  waitAll(taskIds, test, what, timeoutMs) {
    const check = () => taskIds.every(test);
    if (check()) return Promise.resolve();
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for tasks ${taskIds.join(',')} to ${what}`)), timeoutMs);
      this.waiters.push({ check, resolve: () => (clearTimeout(timer), resolvePromise()) });
    });
  }

  close() {
    this.client.close();
  }
}

/** A process's own CPU time (user + system, all threads, not children) in seconds, from /proc/<pid>/stat. */
export function procCpuSeconds(pid) {
  return procCpu(pid).total;
}

/** { user, system, total } CPU seconds of a process (all its threads, not its children). */
export function procCpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const user = Number(fields[11]) / CLK_TCK;
  const system = Number(fields[12]) / CLK_TCK;
  return { user, system, total: user + system };
}

/** { rss, hwm } in bytes from /proc/<pid>/status. */
export function procMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const MB = 1e6;
export const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

/**
 * Prints one result line, e.g.
 * `ingestion: engine 0.0123 CPU-s/MB vs raw node-pty reader 0.0101 CPU-s/MB → ratio 1.22 (goal ≤ 1.5) PASS`,
 * and returns the row for the summary table. `goal` is checked against `goalOn` (the ratio unless given).
 */
export function report({ name, engine, baseline, unit, baselineLabel, goal, goalUnit = '', goalOn, digits = 4 }) {
  const ratio = engine / baseline;
  const checked = goalOn ?? ratio;
  const pass = checked <= goal;
  const goalText = goalOn === undefined ? `goal ratio ≤ ${goal}` : `goal ≤ ${goal}${goalUnit}`;
  console.log(
    `${name}: engine ${fmt(engine, digits)} ${unit} vs ${baselineLabel} ${fmt(baseline, digits)} ${unit} → ratio ${fmt(ratio, 2)} ` +
      `(${goalText}) ${pass ? 'PASS' : 'MISS'}`,
  );
  return { name, engine: `${fmt(engine, digits)} ${unit}`, baseline: `${fmt(baseline, digits)} ${unit}`, ratio: fmt(ratio, 2), goal: goalText, pass };
}

/** The line run-all.mjs collects for its summary table. */
export function emitResults(rows) {
  console.log(`BENCH_RESULT ${JSON.stringify(rows)}`);
}

/** Runs a benchmark's main, cleaning up sandboxes even when it throws; a crash exits nonzero. */
export async function runBench(main) {
  const sandboxes = [];
  const track = (s) => (sandboxes.push(s), s);
  const cleanup = async () => {
    for (const s of sandboxes.splice(0)) await s.cleanup().catch(() => {});
  };
  // Stopped from outside (run-all's timeout, Ctrl-C): still stop the engines this benchmark started.
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => void cleanup().finally(() => process.exit(1)));
  }
  try {
    await main(track);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
  setImmediate(() => process.exit(process.exitCode ?? 0));
}
