// Figure 4: with 100,000 tasks and 300,000 runs, `ls --status running` and a full-text search each take ≤ 20 ms in
// the engine (the reply's elapsedMs, read off the raw socket), and the engine starts in ≤ 1 s. Same-run baselines:
// the same requests against an empty database, and start-up on an empty data directory.
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { RARE_WORD, populate } from './populate-db.mjs';
import { RpcClient, Sandbox, emitResults, fmt, median, percentile, report, runBench, spawnEngine } from './bench-support.mjs';

const TASKS = 100_000;
const RUNS = 300_000;
const LIVE = 300;
const REPEATS = 30;
const WARMUP = 5;
const STARTS = 5;
const COMMON_WORD = 'fix';
const MID_WORD = 'webhook';

/** Median engine-side elapsedMs (and max) of a request, after a warm-up. */
async function timeRequest(rpc, method, params) {
  let result;
  for (let i = 0; i < WARMUP; i++) result = (await rpc.request(method, params)).result;
  const elapsed = [];
  for (let i = 0; i < REPEATS; i++) elapsed.push((await rpc.request(method, params)).elapsedMs);
  return { median: median(elapsed), p90: percentile(elapsed, 90), max: Math.max(...elapsed), result };
}

const QUERIES = {
  'ls --status running': ['task.list', { status: ['running'] }],
  ls: ['task.list', {}],
  [`search "${COMMON_WORD}"`]: ['task.search', { query: COMMON_WORD }],
  [`search "${MID_WORD}"`]: ['task.search', { query: MID_WORD }],
  [`search "${RARE_WORD}"`]: ['task.search', { query: RARE_WORD }],
  'daemon status (engine.status)': ['engine.status', undefined],
  'config get (no query)': ['config.get', undefined],
};

async function timeAll(rpc) {
  const out = {};
  for (const [name, [method, params]] of Object.entries(QUERIES)) out[name] = await timeRequest(rpc, method, params);
  return out;
}

async function stopEngine(sandbox, engine) {
  const rpc = await RpcClient.connect(sandbox.socket);
  await rpc.request('engine.stop', { force: true }).catch(() => {});
  await engine.exited;
}

/** Median time from spawning dist/engine.cjs to its ready line, over `n` starts. */
async function startups(sandbox, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const engine = await spawnEngine(sandbox);
    times.push(engine.readyMs);
    await stopEngine(sandbox, engine);
  }
  return times;
}

function bareNodeStart() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', "process.stdout.write('ready\\n')"], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => resolve(performance.now() - started));
    child.on('error', reject);
  });
}

/** Median wall time of a CLI command, end to end (process start, connect, request, print). */
async function cliWall(sandbox, args, n = 5) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const r = await sandbox.errand([...args, '--json']);
    if (r.code !== 0) throw new Error(`errand ${args.join(' ')}: ${r.stderr}`);
    times.push(r.ms);
  }
  return median(times);
}

await runBench(async (track) => {
  // Baselines: an empty data directory.
  const empty = track(new Sandbox('bench-scale-empty'));
  const emptyStarts = await startups(empty, STARTS);
  const bare = [];
  for (let i = 0; i < STARTS; i++) bare.push(await bareNodeStart());
  let engine = await spawnEngine(empty);
  let rpc = await RpcClient.connect(empty.socket);
  const base = await timeAll(rpc);
  rpc.close();
  await stopEngine(empty, engine);

  // The big database: schema from the engine itself, then rows in bulk while it is stopped.
  const big = track(new Sandbox('bench-scale-big'));
  engine = await spawnEngine(big);
  await stopEngine(big, engine);
  const filled = populate(big.database, { tasks: TASKS, runsTotal: RUNS, live: LIVE });
  console.log(
    `  database: ${filled.tasks} tasks, ${filled.runs} runs (${LIVE} left 'running'), search rows for every prompt and every 10th task's question; ` +
      `filled in ${fmt(filled.ms / 1000, 1)} s`,
  );

  // First start: recovery marks the ${LIVE} live runs interrupted.
  engine = await spawnEngine(big);
  const recoveryStartMs = engine.readyMs;
  rpc = await RpcClient.connect(big.socket);
  const afterRecovery = await timeRequest(rpc, ...QUERIES['ls --status running']);
  // Put them back to 'running' behind the engine's back (it keeps no status in memory), to time the query with rows.
  const side = new Database(big.database);
  side.pragma('busy_timeout = 5000');
  const setStatus = (status) => {
    const stmt = side.prepare('UPDATE runs SET status = ? WHERE id = ?');
    side.transaction(() => filled.liveRunIds.forEach((id) => stmt.run(status, id)))();
  };
  setStatus('running');
  const loaded = await timeAll(rpc);
  const cliLs = await cliWall(big, ['ls', '--status', 'running']);
  const cliSearch = await cliWall(big, ['search', COMMON_WORD]);
  rpc.close();
  setStatus('interrupted');
  side.close();
  await stopEngine(big, engine);
  const bigStarts = await startups(big, STARTS - 1);

  const running = loaded['ls --status running'];
  console.log(
    `  ls --status running: ${running.result.tasks.length} shown of ${running.result.total}; median ${fmt(running.median)} ms, p90 ${fmt(running.p90)} ms, ` +
      `max ${fmt(running.max)} ms (n=${REPEATS}); right after recovery (0 running): median ${fmt(afterRecovery.median)} ms`,
  );
  console.log('  engine-side elapsedMs, median of 30 (empty DB → 100k tasks / 300k runs):');
  for (const name of Object.keys(QUERIES)) {
    const r = loaded[name];
    const n = r.result?.tasks ? `, ${r.result.tasks.length} tasks returned` : '';
    console.log(`    ${name.padEnd(32)} ${fmt(base[name].median).padStart(7)} ms → ${fmt(r.median).padStart(7)} ms (p90 ${fmt(r.p90)}, max ${fmt(r.max)})${n}`);
  }
  console.log(
    `  search words match: "${COMMON_WORD}" ${filled.docFrequency(COMMON_WORD)} prompts, "${MID_WORD}" ${filled.docFrequency(MID_WORD)}, ` +
      `"${RARE_WORD}" ${filled.docFrequency(RARE_WORD)} (prefix match, limit 50)`,
  );
  console.log(`  CLI end to end (process start included): errand ls --status running ${fmt(cliLs, 0)} ms, errand search ${COMMON_WORD} ${fmt(cliSearch, 0)} ms`);

  const rows = [];
  rows.push(
    report({
      name: 'scale ls --status running',
      engine: running.median,
      baseline: base['ls --status running'].median,
      unit: 'ms',
      baselineLabel: 'empty DB',
      goal: 20,
      goalUnit: ' ms',
      goalOn: running.median,
      digits: 2,
    }),
  );
  const searches = Object.keys(QUERIES).filter((k) => k.startsWith('search'));
  const worst = searches.reduce((a, b) => (loaded[a].median >= loaded[b].median ? a : b));
  rows.push(
    report({
      name: `scale ${worst} (slowest of ${searches.length} searches)`,
      engine: loaded[worst].median,
      baseline: base[worst].median,
      unit: 'ms',
      baselineLabel: 'empty DB',
      goal: 20,
      goalUnit: ' ms',
      goalOn: loaded[worst].median,
      digits: 2,
    }),
  );
  const bigStart = median([recoveryStartMs, ...bigStarts]);
  console.log(
    `  start-up to ready line: empty data dir ${emptyStarts.map((t) => fmt(t, 0)).join(', ')} ms; big DB ${fmt(recoveryStartMs, 0)} ms ` +
      `(recovering ${LIVE} runs), then ${bigStarts.map((t) => fmt(t, 0)).join(', ')} ms; bare \`node -e\` ${fmt(median(bare), 0)} ms`,
  );
  rows.push(
    report({
      name: `startup (100k tasks, median of ${STARTS})`,
      engine: bigStart,
      baseline: median(emptyStarts),
      unit: 'ms',
      baselineLabel: 'empty data dir',
      goal: 1000,
      goalUnit: ' ms',
      goalOn: bigStart,
      digits: 0,
    }),
  );
  emitResults(rows);
});
