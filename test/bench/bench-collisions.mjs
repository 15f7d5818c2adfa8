// The collision check after a merge: with 20 open branches, testing each against the new base (its worktree's work
// written as a commit, then `git merge-tree`) takes ≤ 2 s, and never blocks other requests: engine.status answers
// throughout about as fast as when the engine is idle (p99 ratio ≤ 2). Same-run baselines: one `git merge-tree` per
// branch run directly from here, one after another; and engine.status round trips with the engine idle.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RunWatcher, Sandbox, emitResults, fmt, median, percentile, report, runBench, sleep } from './bench-support.mjs';

const BRANCHES = 20;
const ROUNDS = 5;
const STATUS_EVERY_MS = 5;
const IDLE_SAMPLES = 200;
const run = promisify(execFile);

/** The least a merge check needs per branch, run directly: one `git merge-tree` against the base. */
async function mergeTreeDirectly(repo, base, branch) {
  await run('git', ['merge-tree', '--write-tree', '--name-only', '--no-messages', base, `refs/heads/${branch}`], { cwd: repo }).catch((e) => {
    if (e.code !== 1) throw e;
  });
}

async function statusTimes(rpc, until) {
  const times = [];
  while (!until()) {
    times.push((await rpc.request('engine.status')).rttMs);
    await sleep(STATUS_EVERY_MS);
  }
  return times;
}

await runBench(async (track) => {
  const sandbox = track(new Sandbox('bench-collisions'));
  const repo = sandbox.repo();
  await sandbox.startEngine();
  // Half the open branches edit the line the merged one does, so the check finds conflicts as well as clean ones.
  await sandbox.fakeProfile('clashing', ['edit', 'shared.txt', 'another change\n', 'edit', 'own.txt', 'mine\n']);
  await sandbox.fakeProfile('apart', ['edit', 'own.txt', 'mine\n']);
  // The first merged task edits what the clashing ones do; the later ones only files of their own, so each merges.
  for (let r = 0; r < ROUNDS; r++) {
    await sandbox.fakeProfile(`merged-${r}`, [...(r === 0 ? ['edit', 'shared.txt', 'the merged change\n'] : []), 'edit', `m${r}.txt`, 'm\n']);
  }
  const watcher = await RunWatcher.start(sandbox.socket);
  const checks = [];
  watcher.client.onEvent((e) => e.type === 'review.mergeCheck' && checks.push(e));
  const ids = [];
  for (let i = 0; i < BRANCHES; i++) ids.push((await sandbox.json(['add', `open branch ${i}`, '--repo', repo, '--profile', i % 2 ? 'clashing' : 'apart'])).id);
  const merging = [];
  for (let r = 0; r < ROUNDS; r++) merging.push((await sandbox.json(['add', `merged ${r}`, '--repo', repo, '--profile', `merged-${r}`])).id);
  await watcher.waitFinal([...ids, ...merging], 240_000);

  const idle = [];
  for (let i = 0; i < IDLE_SAMPLES; i++) idle.push((await watcher.client.request('engine.status')).rttMs);

  // Each round merges one more task: the check then looks at the 20 open branches and the merged ones still open.
  const busy = [];
  for (const [r, id] of merging.entries()) {
    let done = false;
    const during = statusTimes(watcher.client, () => done);
    await watcher.client.request('task.approve', { id, action: 'merge' });
    while (checks.length <= r) await sleep(5);
    done = true;
    busy.push(...(await during));
  }
  const check = checks.at(-1);
  if (check.checked !== BRANCHES) throw new Error(`the last merge check looked at ${check.checked} branches, not ${BRANCHES}`);
  const durations = checks.map((c) => c.durationMs);

  const { result } = await watcher.client.request('task.list', { limit: 100 });
  const branches = result.tasks.filter((t) => ids.includes(t.id)).map((t) => t.run.branch);
  const base = (await run('git', ['rev-parse', 'main'], { cwd: repo })).stdout.trim();
  const started = performance.now();
  for (const branch of branches) await mergeTreeDirectly(repo, base, branch);
  const directMs = performance.now() - started;
  watcher.close();

  console.log(
    `  merge checks after ${ROUNDS} merges (${checks.map((c) => c.checked).join(', ')} open branches): ${durations.join(', ')} ms ` +
      `(the last found ${check.conflicts.length} in conflict); one \`git merge-tree\` per branch ` +
      `run directly, one after another: ${fmt(directMs, 0)} ms`,
  );
  console.log(
    `  engine.status round trip during the check: median ${fmt(median(busy), 2)} ms, p99 ${fmt(percentile(busy, 99), 2)} ms, ` +
      `max ${fmt(Math.max(...busy), 2)} ms (n=${busy.length}); idle: median ${fmt(median(idle), 2)} ms, p99 ${fmt(percentile(idle, 99), 2)} ms`,
  );
  const rows = [
    report({ name: 'collisions: merge check, 20 branches', engine: Math.max(...durations), baseline: directMs, unit: 'ms', baselineLabel: 'merge-tree per branch, sequential', goal: 2000, goalUnit: ' ms', goalOn: Math.max(...durations), digits: 0 }),
    report({ name: 'collisions: engine.status p99 during it', engine: percentile(busy, 99), baseline: percentile(idle, 99), unit: 'ms', baselineLabel: 'idle', goal: 2, digits: 2 }),
  ];
  emitResults(rows);
});
