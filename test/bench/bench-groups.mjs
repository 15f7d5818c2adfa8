// Issue 8: a batch of 100 tasks is filed in one transaction in ≤ 200 ms engine-side (the reply's elapsedMs, read off
// the raw socket). Same-run baseline: a batch of one task, the same request and code path. For context: filing the
// same 100 tasks as 100 separate `task.add` requests, summed.
import { join } from 'node:path';
import { RpcClient, Sandbox, emitResults, fmt, median, percentile, report, runBench } from './bench-support.mjs';

const BATCH = 100;
const REPEATS = 15;
const WARMUP = 3;
const PROMPT = 'Fix the flaky retry test in the webhook client: it races the timer. Make the clock injectable and add a regression test. ';

const tasks = (n, round) => Array.from({ length: n }, (_, i) => ({ prompt: `${PROMPT}(round ${round}, task ${i + 1})`, line: i + 1 }));

await runBench(async (track) => {
  const sandbox = track(new Sandbox('bench-groups'));
  const repo = sandbox.repo();
  await sandbox.startEngine();
  // One agent holds the only slot and waits for a file that never comes: what is filed stays queued, so no agent
  // start is timed and none loads the machine while it is measured.
  await sandbox.json(['config', 'set', 'max-running', '1']);
  await sandbox.fakeProfile('bench', ['wait-file', join(sandbox.root, 'never')]);
  const rpc = await RpcClient.connect(sandbox.socket);
  const timed = async (n, round) => (await rpc.request('batch.create', { repo, profile: 'bench', tasks: tasks(n, round) })).elapsedMs;

  for (let i = 0; i < WARMUP; i++) {
    await timed(1, -i);
    await timed(BATCH, -i);
  }
  const one = [];
  const hundred = [];
  for (let round = 0; round < REPEATS; round++) {
    one.push(await timed(1, round));
    hundred.push(await timed(BATCH, round));
  }
  const separate = [];
  for (let i = 0; i < BATCH; i++) {
    separate.push((await rpc.request('task.add', { repo, profile: 'bench', prompt: `${PROMPT}(separately, task ${i + 1})` })).elapsedMs);
  }
  const groups = (await rpc.request('batch.list', { limit: 1000 })).result.groups;
  const filed = groups.reduce((sum, g) => sum + g.total, 0);
  rpc.close();

  console.log(
    `  batch of ${BATCH}: median ${fmt(median(hundred))} ms, p90 ${fmt(percentile(hundred, 90))} ms, max ${fmt(Math.max(...hundred))} ms (n=${REPEATS}); ` +
      `batch of 1: median ${fmt(median(one))} ms; ${BATCH} separate task.add: ${fmt(separate.reduce((a, b) => a + b, 0))} ms in all`,
  );
  console.log(`  ${groups.length} groups and ${filed} batch tasks filed (all queued behind one waiting agent)`);
  emitResults([
    report({
      name: `batch of ${BATCH} tasks (one transaction)`,
      engine: median(hundred),
      baseline: median(one),
      unit: 'ms',
      baselineLabel: 'a batch of 1',
      goal: 200,
      goalUnit: ' ms',
      goalOn: median(hundred),
      digits: 2,
    }),
  ]);
});
