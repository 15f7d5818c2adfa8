// Issue 8: with 1,000 tasks in review and 10,000 attention items in history, `inbox` answers in ≤ 100 ms in the
// engine (the reply's elapsedMs, read off the raw socket). Same-run baseline: the same request on an empty database.
import Database from 'better-sqlite3';
import { RpcClient, Sandbox, emitResults, fmt, median, percentile, report, runBench, spawnEngine } from './bench-support.mjs';

const IN_REVIEW = 1000;
const HISTORY = 10_000;
const REPEATS = 30;
const WARMUP = 5;
const KINDS = ['failure', 'question', 'tool_request', 'interrupted'];
const RESOLUTIONS = ['retried', 'answered', 'answered', 'resumed'];

/** Tasks whose one run succeeded (so they are unreviewed), each with an open result, and resolved items before it. */
function populate(path) {
  const started = performance.now();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const now = Date.now();
  const dayMs = 86_400_000;
  db.transaction(() => {
    db.prepare("INSERT INTO repos (path, name, base_branch, copy_files, created_at) VALUES ('/home/someone/src/app', 'app', 'main', '[]', ?)").run(now - 30 * dayMs);
    db.prepare("INSERT INTO profiles (name, adapter, command, env, created_at) VALUES ('agent', 'command', '[\"true\"]', '{}', ?)").run(now - 30 * dayMs);
    const task = db.prepare('INSERT INTO tasks (id, prompt, repo_id, profile_id, priority, current_run_id, created_at) VALUES (?, ?, 1, 1, 0, ?, ?)');
    const run = db.prepare(
      "INSERT INTO runs (id, task_id, attempt, status, reason, created_at, started_at, ended_at) VALUES (?, ?, 1, 'succeeded', ?, ?, ?, ?)",
    );
    const item = db.prepare(
      `INSERT INTO attention_items (task_id, run_id, kind, message, created_at, seen_at, resolved_at, resolution)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let id = 1; id <= IN_REVIEW; id++) {
      const at = now - 3 * dayMs + id * 60_000;
      task.run(id, `fix the flaky test number ${id} in the parser module`, id, at - 3600_000);
      run.run(id, id, id % 7 === 0 ? 'no changes in the worktree' : null, at - 3600_000, at - 3500_000, at);
    }
    const older = HISTORY - IN_REVIEW;
    for (let n = 0; n < older; n++) {
      const id = (n % IN_REVIEW) + 1;
      const at = now - 20 * dayMs + n * 60_000;
      item.run(id, id, KINDS[n % KINDS.length], `an earlier ${KINDS[n % KINDS.length]} of task ${id}`, at, at + 1000, at + 5000, RESOLUTIONS[n % RESOLUTIONS.length]);
    }
    for (let id = 1; id <= IN_REVIEW; id++) {
      const at = now - 3 * dayMs + id * 60_000;
      item.run(id, id, 'result', id % 7 === 0 ? 'no changes in the worktree' : 'succeeded', at, id % 3 === 0 ? at + 1000 : null, null, null);
    }
  })();
  const counts = db.prepare('SELECT count(*) AS items, count(*) FILTER (WHERE resolved_at IS NULL) AS open FROM attention_items').get();
  db.close();
  return { ...counts, ms: performance.now() - started };
}

async function timeRequest(rpc, method, params) {
  let result;
  for (let i = 0; i < WARMUP; i++) result = (await rpc.request(method, params)).result;
  const elapsed = [];
  for (let i = 0; i < REPEATS; i++) elapsed.push((await rpc.request(method, params)).elapsedMs);
  return { median: median(elapsed), p90: percentile(elapsed, 90), max: Math.max(...elapsed), result };
}

const QUERIES = {
  inbox: ['inbox.list', {}],
  'inbox --limit 1000': ['inbox.list', { limit: 1000 }],
  'inbox --kind result --repo app': ['inbox.list', { kinds: ['result'], repo: 'app' }],
  'inbox --all': ['inbox.list', { all: true }],
  'engine.status (inbox count)': ['engine.status', undefined],
};

async function timeAll(sandbox) {
  const engine = await spawnEngine(sandbox);
  const rpc = await RpcClient.connect(sandbox.socket);
  const out = {};
  for (const [name, [method, params]] of Object.entries(QUERIES)) out[name] = await timeRequest(rpc, method, params);
  await rpc.request('engine.stop', { force: true }).catch(() => {});
  rpc.close();
  await engine.exited;
  return out;
}

await runBench(async (track) => {
  const empty = track(new Sandbox('bench-inbox-empty'));
  const base = await timeAll(empty);

  const big = track(new Sandbox('bench-inbox-big'));
  const first = await spawnEngine(big);
  const rpc = await RpcClient.connect(big.socket);
  await rpc.request('engine.stop', { force: true }).catch(() => {});
  rpc.close();
  await first.exited;
  const filled = populate(big.database);
  console.log(`  database: ${IN_REVIEW} tasks in review, ${filled.items} attention items (${filled.open} open); filled in ${fmt(filled.ms, 0)} ms`);
  const loaded = await timeAll(big);

  const shown = loaded.inbox.result;
  if (shown.total !== IN_REVIEW || shown.items.length !== 50) throw new Error(`inbox showed ${shown.items.length} of ${shown.total}, expected 50 of ${IN_REVIEW}`);
  console.log(`  engine-side elapsedMs, median of ${REPEATS} (empty DB → ${IN_REVIEW} in review / ${HISTORY} items):`);
  for (const name of Object.keys(QUERIES)) {
    const r = loaded[name];
    const n = r.result?.items ? `, ${r.result.items.length} of ${r.result.total} items` : '';
    console.log(`    ${name.padEnd(32)} ${fmt(base[name].median).padStart(7)} ms → ${fmt(r.median).padStart(7)} ms (p90 ${fmt(r.p90)}, max ${fmt(r.max)})${n}`);
  }
  const slowest = Object.keys(QUERIES).filter((k) => k.startsWith('inbox')).reduce((a, b) => (loaded[a].median >= loaded[b].median ? a : b));
  emitResults([
    report({ name: 'inbox (1k in review, 10k items)', engine: loaded.inbox.median, baseline: base.inbox.median, unit: 'ms', baselineLabel: 'empty DB', goal: 100, goalUnit: ' ms', goalOn: loaded.inbox.median, digits: 2 }),
    report({ name: `${slowest} (slowest inbox read)`, engine: loaded[slowest].median, baseline: base[slowest].median, unit: 'ms', baselineLabel: 'empty DB', goal: 100, goalUnit: ' ms', goalOn: loaded[slowest].median, digits: 2 }),
  ]);
});
