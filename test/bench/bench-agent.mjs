// The agent-adapter figures. (1) Ingestion with a Claude-shaped stream-json agent: the engine runs it through the
// Claude adapter, whose interpreter reads every line, against the raw node-pty reader on the same agent. (2) How long
// a status takes to reach a watcher after the agent prints the line that decides it: the result (→ succeeded) and a
// permission request (→ needs_input), against the engine's round trip for a trivial request in the same run.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MB, ROOT, RpcClient, RunWatcher, Sandbox, emitResults, fmt, median, procCpu, report, runBench, sleep } from './bench-support.mjs';

const FAKE_CLAUDE = join(ROOT, 'test/fixtures/fake-claude.mjs');
const RUNS = 10;
/** Engine rounds, each between two baseline runs; the median round is the figure. */
const ROUNDS = 3;
const BYTES_PER_RUN = 50 * 1024 * 1024;
const SETTLE_MS = 1500;
const LATENCY_SAMPLES = 20;
const LATENCY_GOAL_MS = 500;

function baseline(cwd, goFile) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'pty-reader-baseline.mjs'), String(RUNS), goFile, '--', FAKE_CLAUDE, '--fake-flood', String(BYTES_PER_RUN), '--fake-go', goFile],
      { cwd, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`baseline reader exited ${code}`))));
  });
}

const claudeProfile = (sandbox, name, ...flags) => sandbox.json(['profile', 'add', name, '--adapter', 'claude', '--binary', FAKE_CLAUDE, '--json', '--', ...flags]);

/** One engine round: RUNS floods through the Claude adapter; the engine's CPU seconds from go to the last verdict. */
async function engineRound(sandbox, repo, pid, watcher, round) {
  const goFile = join(sandbox.root, `go-engine-${round}`);
  await claudeProfile(sandbox, `claude-flood-${round}`, '--fake-flood', String(BYTES_PER_RUN), '--fake-go', goFile);
  const ids = [];
  for (let i = 1; i <= RUNS; i++) ids.push((await sandbox.json(['add', `flood ${round}.${i}`, '--repo', repo, '--profile', `claude-flood-${round}`])).id);
  await watcher.waitStatus(ids, 'running');
  await sleep(SETTLE_MS);
  const cpu0 = procCpu(pid);
  writeFileSync(goFile, 'go');
  await watcher.waitFinal(ids, 240_000);
  const cpu1 = procCpu(pid);
  const failed = ids.filter((id) => watcher.finalOf(id).status !== 'succeeded');
  if (failed.length) throw new Error(`runs ${failed.join(',')} did not succeed`);
  return { total: cpu1.total - cpu0.total, user: cpu1.user - cpu0.user, system: cpu1.system - cpu0.system };
}

/** Engine rounds between baseline readers (this machine is noisy): each round against the readers on either side of it. */
async function ingestion(sandbox, repo, pid, watcher) {
  const engineMB = (RUNS * BYTES_PER_RUN) / MB;
  const perMB = (base) => base.cpuSeconds / (base.bytes / MB);
  let before = await baseline(sandbox.root, join(sandbox.root, 'go-base-0'));
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const cpu = await engineRound(sandbox, repo, pid, watcher, round);
    const after = await baseline(sandbox.root, join(sandbox.root, `go-base-${round}`));
    const engine = cpu.total / engineMB;
    const base = (perMB(before) + perMB(after)) / 2;
    rounds.push({ engine, base, ratio: engine / base });
    console.log(
      `  round ${round}: engine ${fmt(cpu.total)} CPU-s (user ${fmt(cpu.user)} + sys ${fmt(cpu.system)}) for ${fmt(engineMB, 1)} MB of stream-json; ` +
        `baseline readers ${fmt(before.cpuSeconds)} (sys ${fmt(before.systemSeconds)}) and ${fmt(after.cpuSeconds)} (sys ${fmt(after.systemSeconds)}) CPU-s → ratio ${fmt(engine / base, 2)}`,
    );
    before = after;
  }
  const middle = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)];
  return report({
    name: `ingestion, Claude-shaped stream-json through the Claude adapter (median of ${ROUNDS} rounds)`,
    engine: middle.engine,
    baseline: middle.base,
    unit: 'CPU-s/MB',
    baselineLabel: 'raw node-pty reader',
    goal: 1.5,
  });
}

async function latency(sandbox, repo, watcher, rpc) {
  const roundTrips = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t0 = performance.now();
    await rpc.request('config.get');
    roundTrips.push(performance.now() - t0);
  }
  const doneMarker = join(sandbox.root, 'done-marker');
  const askMarker = join(sandbox.root, 'ask-marker');
  await claudeProfile(sandbox, 'claude-timed', '--fake-marker', doneMarker);
  await claudeProfile(sandbox, 'claude-asks', '--fake-permission', '--fake-ask-marker', askMarker);
  const done = [];
  const asked = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const { id } = await sandbox.json(['add', `timed ${i}`, '--repo', repo, '--profile', 'claude-timed']);
    await watcher.waitFinal([id]);
    done.push(watcher.statuses.get(id).find((s) => s.status === 'succeeded').seenAt - Number(readFileSync(doneMarker, 'utf8')));
    const ask = await sandbox.json(['add', `asks ${i}`, '--repo', repo, '--profile', 'claude-asks']);
    await watcher.waitStatus([ask.id], 'needs_input');
    asked.push(watcher.statuses.get(ask.id).find((s) => s.status === 'needs_input').seenAt - Number(readFileSync(askMarker, 'utf8')));
    await sandbox.json(['allow', String(ask.id)]);
    await watcher.waitFinal([ask.id]);
  }
  const show = (label, list) => console.log(`  ${label}: median ${fmt(median(list), 1)} ms, max ${fmt(Math.max(...list), 1)} ms over ${list.length}`);
  show('result line → succeeded at the watcher', done);
  show('permission request → needs_input at the watcher', asked);
  show('engine round trip (config.get)', roundTrips);
  const worst = Math.max(...done, ...asked);
  return report({
    name: 'status latency (max of both kinds)',
    engine: worst,
    baseline: median(roundTrips),
    unit: 'ms',
    baselineLabel: 'request round trip',
    goal: LATENCY_GOAL_MS,
    goalUnit: ' ms',
    goalOn: worst,
    digits: 1,
  });
}

await runBench(async (track) => {
  const sandbox = track(new Sandbox('bench-agent'));
  const repo = sandbox.repo();
  const pid = await sandbox.startEngine();
  await sandbox.json(['config', 'set', 'max-running', String(RUNS)]);
  const watcher = await RunWatcher.start(sandbox.socket);
  const rpc = await RpcClient.connect(sandbox.socket);
  const rows = [await ingestion(sandbox, repo, pid, watcher), await latency(sandbox, repo, watcher, rpc)];
  rpc.close();
  watcher.close();
  emitResults(rows);
});
