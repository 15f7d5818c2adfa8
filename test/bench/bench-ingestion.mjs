// Figures 1 and 2: output ingestion CPU against a raw node-pty reader, and engine memory growth over 500 MB.
//
// 10 runs of producer.mjs (50 MiB each, as fast as the terminal takes it) go through the real engine, added with
// the real CLI. The producers wait for a go-ahead file, so the measured window holds only ingestion (not `errand add`,
// worktrees, or process start); the engine's CPU comes from /proc/<pid>/stat. The baseline is a separate process
// that runs the same 10 producers in node-pty and discards what it reads (pty-reader-baseline.mjs). The order is
// baseline, engine, baseline, engine, baseline (the machine is noisy); each side's CPU and bytes are pooled.
// Memory: engine RSS after the first 10 MiB (a warm-up run), after the first 500 MiB round, and after the second.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MB,
  RpcClient,
  RunWatcher,
  Sandbox,
  emitResults,
  fmt,
  procCpu,
  procMemory,
  report,
  runBench,
  sleep,
} from './bench-support.mjs';

const RUNS = 10;
const ROUNDS = 2;
const BYTES_PER_RUN = 50 * 1024 * 1024;
const WARMUP_BYTES = 10 * 1024 * 1024;
const PRODUCER = join(import.meta.dirname, 'producer.mjs');
/** Time for the producers' node to boot before the go-ahead, in both the engine and the baseline. */
const SETTLE_MS = 1500;
const MiB = 2 ** 20;

function baseline(cwd, goFile) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'pty-reader-baseline.mjs'), String(RUNS), goFile, '--', process.execPath, PRODUCER, String(BYTES_PER_RUN), goFile],
      { cwd, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`baseline reader exited ${code}`))));
  });
}

async function add(sandbox, repo, profile, n) {
  const task = await sandbox.json(['add', `bench ingestion ${n}`, '--repo', repo, '--profile', profile]);
  return task.id;
}

async function settledRss(pid) {
  await sleep(1500);
  return procMemory(pid).rss;
}

async function checkSucceeded(rpc, id) {
  const { result } = await rpc.request('task.get', { id });
  const run = result.task.run;
  if (run.status !== 'succeeded') {
    const log = await rpc.request('run.readLog', { taskId: id, offset: 0, length: 2048 });
    throw new Error(`task ${id} ended ${run.status}: ${run.reason}\n${Buffer.from(log.result.data, 'base64').toString()}`);
  }
  return run.logBytes;
}

await runBench(async (track) => {
  const sandbox = track(new Sandbox('bench-ingest'));
  const repo = sandbox.repo();
  const go = (name) => join(sandbox.root, `go-${name}`);
  const baselines = [await baseline(sandbox.root, go('baseline-0'))];

  const pid = await sandbox.startEngine();
  await sandbox.json(['config', 'set', 'max-running', String(RUNS)]);
  await sandbox.profile('warm', [process.execPath, PRODUCER, String(WARMUP_BYTES)]);
  for (let r = 1; r <= ROUNDS; r++) await sandbox.profile(`flood-${r}`, [process.execPath, PRODUCER, String(BYTES_PER_RUN), go(`engine-${r}`)]);
  const watcher = await RunWatcher.start(sandbox.socket);
  const rpc = await RpcClient.connect(sandbox.socket);

  // Warm-up: the first 10 MiB (and the first worktree, JIT, SQLite pages) before any measurement.
  const warmId = await add(sandbox, repo, 'warm', 0);
  await watcher.waitFinal([warmId]);
  await checkSucceeded(rpc, warmId);
  const rssAfterWarmup = await settledRss(pid);

  const rounds = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const addCpu0 = procCpu(pid);
    const ids = [];
    for (let i = 1; i <= RUNS; i++) ids.push(await add(sandbox, repo, `flood-${r}`, i));
    await watcher.waitStatus(ids, 'running');
    await sleep(SETTLE_MS);
    const cpu0 = procCpu(pid);
    const t0 = performance.now();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, procMemory(pid).rss)), 100);
    writeFileSync(go(`engine-${r}`), 'go');
    await watcher.waitFinal(ids, 240_000);
    const cpu1 = procCpu(pid);
    const wallMs = performance.now() - t0;
    clearInterval(sampler);
    let bytes = 0;
    for (const id of ids) bytes += await checkSucceeded(rpc, id);
    const rss = await settledRss(pid);
    rounds.push({
      cpuSeconds: cpu1.total - cpu0.total,
      userSeconds: cpu1.user - cpu0.user,
      systemSeconds: cpu1.system - cpu0.system,
      addCpuSeconds: cpu0.total - addCpu0.total,
      bytes,
      wallMs,
      peakRss,
      rss,
    });
    // Producers run while the engine idles, so the baseline sees the same machine conditions in between.
    baselines.push(await baseline(sandbox.root, go(`baseline-${r}`)));
  }
  const { hwm } = procMemory(pid);
  rpc.close();
  watcher.close();
  await sandbox.json(['daemon', 'stop', '--force']);

  const sum = (list, key) => list.reduce((n, x) => n + x[key], 0);
  const engineCpuPerMB = sum(rounds, 'cpuSeconds') / (sum(rounds, 'bytes') / MB);
  const baseCpuPerMB = sum(baselines, 'cpuSeconds') / (sum(baselines, 'bytes') / MB);
  const split = (x) => `user ${fmt(x.userSeconds)} + sys ${fmt(x.systemSeconds)}`;
  const line = (label, x) =>
    `  ${label}: ${fmt(x.cpuSeconds)} CPU-s (${split(x)}) for ${fmt(x.bytes / MB, 1)} MB in ${fmt(x.wallMs / 1000, 1)} s wall → ${fmt(x.cpuSeconds / (x.bytes / MB), 4)} CPU-s/MB`;
  baselines.forEach((b, i) => {
    console.log(line(`baseline reader ${i + 1}`, b));
    if (rounds[i]) console.log(`${line(`engine round ${i + 1}`, rounds[i])} (its ${RUNS} \`errand add\`s cost another ${fmt(rounds[i].addCpuSeconds)} CPU-s, not counted)`);
  });
  const rows = [
    report({ name: 'ingestion', engine: engineCpuPerMB, baseline: baseCpuPerMB, unit: 'CPU-s/MB', baselineLabel: 'raw node-pty reader', goal: 1.5 }),
  ];

  const first = rounds[0];
  const growth = (first.rss - rssAfterWarmup) / MiB;
  const mbAfter = (n) => fmt((WARMUP_BYTES + sum(rounds.slice(0, n), 'bytes')) / MB, 0);
  console.log(
    `  engine RSS: ${fmt(rssAfterWarmup / MiB, 1)} MiB after the first 10 MiB; ` +
      rounds.map((x, i) => `${fmt(x.rss / MiB, 1)} MiB after ${mbAfter(i + 1)} MB (peak ${fmt(x.peakRss / MiB, 1)} MiB during round ${i + 1})`).join('; ') +
      `; VmHWM ${fmt(hwm / MiB, 1)} MiB`,
  );
  const pass = growth <= 30;
  console.log(
    `memory: engine RSS ${fmt(first.rss / MiB, 1)} MiB after ${mbAfter(1)} MB vs ${fmt(rssAfterWarmup / MiB, 1)} MiB after the first 10 MiB ` +
      `→ growth ${fmt(growth, 1)} MiB, ratio ${fmt(first.rss / rssAfterWarmup)} (goal growth ≤ 30 MiB) ${pass ? 'PASS' : 'MISS'}`,
  );
  rows.push({
    name: 'memory',
    engine: `${fmt(first.rss / MiB, 1)} MiB RSS`,
    baseline: `${fmt(rssAfterWarmup / MiB, 1)} MiB RSS`,
    ratio: fmt(first.rss / rssAfterWarmup),
    goal: `growth ${fmt(growth, 1)} ≤ 30 MiB`,
    pass,
  });
  emitResults(rows);
});
