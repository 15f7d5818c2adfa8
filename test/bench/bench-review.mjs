// Issue 8's review figure: with 1,000 tasks in review and 10,000 attention items in history, `review <id>` on a
// 5,000-line diff answers in ≤ 100 ms engine-side (the reply's elapsedMs, off the raw socket). Same-run baseline: the
// same review of the same worktree while it is the only task in review. The diff's own cost (`git diff` of the same
// worktree, run directly) is printed beside it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FAKE_AGENT, RpcClient, RunWatcher, Sandbox, emitResults, fmt, median, report, runBench, spawnEngine } from './bench-support.mjs';

const IN_REVIEW = 1000;
const ATTENTION_ITEMS = 10_000;
const CHANGED_LINES = 2500; // every line of a tracked file: 2,500 - and 2,500 +
const REPEATS = 5;
const WARMUP = 1;
const ROUNDS = 4;
const GOAL_MS = 100;

async function timeReview(socket, id) {
  let result;
  const rpc = await RpcClient.connect(socket);
  const elapsed = [];
  for (let i = 0; i < WARMUP + REPEATS; i++) {
    const answer = await rpc.request('task.review', { id });
    if (answer.error) throw new Error(`task.review: ${answer.error.message}`);
    result = answer.result;
    if (i >= WARMUP) elapsed.push(answer.elapsedMs);
  }
  rpc.close();
  return { elapsed, result };
}

async function stopEngine(sandbox, engine) {
  const rpc = await RpcClient.connect(sandbox.socket);
  await rpc.request('engine.stop', { force: true }).catch(() => {});
  await engine.exited;
}

/**
 * The review's own git work, run directly: the worktree's index copied, every change added to the copy, the merge
 * base, and one diff (listing and patch) against it.
 */
function rawDiffMs(worktree, tmp) {
  const index = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-path', 'index'], { cwd: worktree, encoding: 'utf8' }).trim();
  const copy = join(tmp, 'raw-review-index');
  const env = { ...process.env, GIT_INDEX_FILE: copy };
  const times = [];
  for (let i = 0; i < REPEATS * ROUNDS; i++) {
    const t0 = performance.now();
    copyFileSync(index, copy);
    execFileSync('git', ['add', '-A'], { cwd: worktree, env });
    const base = execFileSync('git', ['merge-base', 'refs/heads/main', 'HEAD'], { cwd: worktree, encoding: 'utf8' }).trim();
    execFileSync('git', ['diff', '--no-color', '-M', '--raw', '--numstat', '-z', '-p', '--cached', base], { cwd: worktree, env, maxBuffer: 64 * 1024 * 1024 });
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * 1,000 tasks whose last run succeeded and that wait for review, and 10,000 attention events, written in one
 * transaction behind the running engine's back (it keeps no task in memory); `clear` takes them out again.
 */
function reviewQueue(path, { repoId, profileId }) {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  const firstTask = db.prepare('SELECT coalesce(max(id), 0) + 1 AS id FROM tasks').get().id;
  const insTask = db.prepare(
    "INSERT INTO tasks (prompt, repo_id, profile_id, priority, current_run_id, created_at, review_state) VALUES (?, ?, ?, 0, NULL, ?, 'unreviewed')",
  );
  const insRun = db.prepare(
    `INSERT INTO runs (task_id, attempt, status, command, worktree, branch, exit_code, reason, log_bytes, created_at, started_at, ended_at, result_text)
     VALUES (?, 1, 'succeeded', ?, ?, ?, 0, NULL, 1000, ?, ?, ?, ?)`,
  );
  const setRun = db.prepare('UPDATE tasks SET current_run_id = ?, review_run_id = ? WHERE id = ?');
  const insEvent = db.prepare("INSERT INTO events (at, type, task_id, run_id, data) VALUES (?, 'attention', ?, ?, ?)");
  const command = JSON.stringify([process.execPath, FAKE_AGENT, 'say', 'done']);
  const fill = db.transaction(() => {
    const now = Date.now();
    const ids = [];
    for (let i = 0; i < IN_REVIEW; i++) {
      const at = now - (IN_REVIEW - i) * 60_000;
      const taskId = Number(insTask.run(`review queue task ${i}: tidy module ${i}`, repoId, profileId, at).lastInsertRowid);
      const runId = Number(insRun.run(taskId, command, `/nonexistent/worktrees/${taskId}`, `errand/${taskId}-queue`, at, at, at + 1000, `Done with ${i}`).lastInsertRowid);
      setRun.run(runId, runId, taskId);
      ids.push({ taskId, runId });
    }
    for (let i = 0; i < ATTENTION_ITEMS; i++) {
      const { taskId, runId } = ids[i % ids.length];
      const event = { type: 'attention', taskId, runId, kind: 'finished', message: 'succeeded', at: now - i * 1000 };
      insEvent.run(event.at, taskId, runId, JSON.stringify(event));
    }
  });
  const clear = db.transaction(() => {
    db.prepare("DELETE FROM events WHERE task_id >= ? AND type = 'attention'").run(firstTask);
    db.prepare('DELETE FROM runs WHERE task_id >= ?').run(firstTask);
    db.prepare('DELETE FROM tasks WHERE id >= ?').run(firstTask);
  });
  return { fill, clear, close: () => db.close() };
}

await runBench(async (track) => {
  const sandbox = track(new Sandbox('bench-review'));
  const repo = sandbox.repo();
  const original = Array.from({ length: CHANGED_LINES }, (_, i) => `line ${i} as it was`).join('\n') + '\n';
  writeFileSync(join(repo, 'big.txt'), original);
  execFileSync('git', ['add', '-A'], { cwd: repo, env: sandbox.gitEnv() });
  execFileSync('git', ['commit', '-qm', 'big file'], { cwd: repo, env: sandbox.gitEnv() });

  const engine = await spawnEngine(sandbox);
  const profile = await sandbox.fakeProfile('done', ['say', 'done']);
  const watcher = await RunWatcher.start(sandbox.socket);
  const task = await sandbox.json(['add', 'rewrite big.txt', '--repo', repo, '--profile', 'done']);
  await watcher.waitFinal([task.id]);
  watcher.close();
  const { task: finished } = await sandbox.json(['show', String(task.id)]);
  const worktree = finished.run.worktree;
  // What an agent leaves: every line of a tracked file changed, uncommitted, and a new untracked file.
  writeFileSync(join(worktree, 'big.txt'), Array.from({ length: CHANGED_LINES }, (_, i) => `line ${i} as the agent wrote it`).join('\n') + '\n');
  writeFileSync(join(worktree, 'new.txt'), Array.from({ length: 100 }, (_, i) => `new ${i}`).join('\n') + '\n');

  // Alone and behind the queue in turns, so a change in the machine's load falls on both.
  const queue = reviewQueue(sandbox.database, { repoId: finished.repoId, profileId: profile.id });
  const alone = [];
  const queued = [];
  let review;
  let fillMs = 0;
  let total = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const a = await timeReview(sandbox.socket, task.id);
    alone.push(...a.elapsed);
    review = a.result;
    const t0 = performance.now();
    queue.fill();
    fillMs = performance.now() - t0;
    const rpc = await RpcClient.connect(sandbox.socket);
    total = (await rpc.request('task.list', { status: ['succeeded'], limit: 1 })).result.total;
    rpc.close();
    queued.push(...(await timeReview(sandbox.socket, task.id)).elapsed);
    queue.clear();
  }
  queue.close();
  const lines = review.additions + review.deletions;
  if (lines < 5000) throw new Error(`the review diff has ${lines} lines, not 5,000+`);
  const raw = rawDiffMs(worktree, sandbox.root);
  await stopEngine(sandbox, engine);

  console.log(`  ${IN_REVIEW} tasks in review (${total} succeeded in all) and ${ATTENTION_ITEMS} attention events, written in ${fmt(fillMs, 0)} ms`);
  console.log(
    `  review of a ${lines}-line diff (${review.files.length} files, ${Math.round(review.diff.length / 1024)} KB), ${alone.length} each: ` +
      `alone median ${fmt(median(alone))} ms (max ${fmt(Math.max(...alone))}); with ${IN_REVIEW} in review median ${fmt(median(queued))} ms ` +
      `(max ${fmt(Math.max(...queued))}); the same git work run directly ${fmt(raw)} ms (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
  );
  emitResults([
    report({
      name: `review 5,000-line diff (${IN_REVIEW} in review, ${ATTENTION_ITEMS / 1000}k attention)`,
      engine: median(queued),
      baseline: median(alone),
      unit: 'ms',
      baselineLabel: 'the same review, alone in review',
      goal: GOAL_MS,
      goalUnit: ' ms',
      goalOn: median(queued),
      digits: 1,
    }),
  ]);
});
