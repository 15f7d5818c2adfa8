// Fills an engine database (schema already created by the engine) with many tasks and runs, in one transaction.
// Deterministic: the same counts give the same rows. Only the first migration's columns are written, so later
// migrations that add columns with defaults keep working.
import Database from 'better-sqlite3';
import { seededRandom } from '../support/seeded-random.mjs';

/** Words for prompts, most common first: a word's chance falls off with its place in the list. */
const WORDS = (
  'the fix test add update refactor error in for and of to module parser api config cache login user page button ' +
  'flaky handler route schema migration query index search build deploy docs readme lint type types async retry ' +
  'timeout socket server client request response header token session cookie auth password email form input ' +
  'validation render component layout style theme dark mode icon menu sidebar modal dialog toast table row column ' +
  'filter sort pagination scroll chart graph export import csv json yaml xml file upload download image resize ' +
  'thumbnail video audio stream buffer queue worker job cron scheduler event listener hook plugin extension ' +
  'webhook payment invoice billing subscription plan coupon discount cart checkout order shipping address country ' +
  'currency locale translation i18n date time zone calendar reminder notification push mobile ios android desktop ' +
  'electron tray window shortcut keyboard mouse touch gesture drag drop clipboard undo redo history log metric ' +
  'trace span alert dashboard report admin role permission policy audit backup restore snapshot archive compress ' +
  'encrypt decrypt hash signature certificate proxy gateway balancer cluster node pod container docker kubernetes ' +
  'terraform pipeline workflow artifact release version changelog benchmark profiler memory leak cpu latency'
).split(' ');
export const RARE_WORD = 'quokkafish';
export const RARE_COUNT = 5;

/**
 * Inserts `tasks` tasks with `runsTotal` runs between them (1–5 each), each task's current run its last; `live`
 * tasks, spread evenly over all, end on a 'running' run (pid NULL, so recovery has nothing to signal).
 * Returns { liveTaskIds, liveRunIds, docFrequency(word) → tasks whose prompt holds it, ms }.
 */
export function populate(path, { tasks, runsTotal, live, questionsEvery = 10 }) {
  const started = performance.now();
  const random = seededRandom(42);
  const word = () => WORDS[Math.floor(WORDS.length * random() ** 2.5)];
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  const now = Date.now();
  const yearMs = 365 * 24 * 3600 * 1000;
  const freq = new Map();
  const liveTaskIds = [];
  const liveRunIds = [];
  const insRepo = db.prepare(
    "INSERT INTO repos (path, name, base_branch, setup_command, copy_files, max_running, created_at) VALUES (?, ?, 'main', NULL, '[]', NULL, ?)",
  );
  const insProfile = db.prepare("INSERT INTO profiles (name, adapter, command, env, needs_input, created_at) VALUES (?, 'command', ?, '{}', NULL, ?)");
  const insTask = db.prepare('INSERT INTO tasks (id, prompt, repo_id, profile_id, priority, current_run_id, created_at) VALUES (?, ?, ?, ?, 0, NULL, ?)');
  const insRun = db.prepare(
    `INSERT INTO runs (id, task_id, attempt, status, command, worktree, branch, pid, exit_code, reason, question, log_bytes,
                       created_at, started_at, ended_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, ?, ?, ?, ?)`,
  );
  const setCurrent = db.prepare('UPDATE tasks SET current_run_id = ? WHERE id = ?');
  const insText = db.prepare('INSERT INTO search_text (body, kind, task_id) VALUES (?, ?, ?)');
  const liveEvery = Math.floor(tasks / live);
  const rareEvery = Math.floor(tasks / RARE_COUNT);
  const command = JSON.stringify(['claude', '-p', '{prompt}']);

  db.transaction(() => {
    for (let r = 1; r <= 5; r++) insRepo.run(`/home/someone/src/project-${r}`, `project-${r}`, now - yearMs);
    for (let p = 1; p <= 3; p++) insProfile.run(`agent-${p}`, command, now - yearMs);
    let runId = 0;
    for (let t = 1; t <= tasks; t++) {
      const words = Array.from({ length: 6 + Math.floor(random() * 25) }, word);
      if (t % rareEvery === 0) words.push(RARE_WORD);
      const prompt = words.join(' ');
      for (const w of new Set(words)) freq.set(w, (freq.get(w) ?? 0) + 1);
      const createdAt = now - yearMs + Math.floor((yearMs * t) / tasks);
      insTask.run(t, prompt, 1 + (t % 5), 1 + (t % 3), createdAt);
      insText.run(prompt, 'prompt', t);
      if (t % questionsEvery === 0) insText.run(`Should I ${words.slice(0, 6).join(' ')}? (y/n)`, 'question', t);
      // 1–5 runs per task at random, steered so the total comes out at runsTotal (for an average of 3).
      const behind = Math.round((t * runsTotal) / tasks) - runId - runsTotal / tasks;
      const runs = Math.max(1, Math.min(5, 1 + Math.floor(random() * 5) + Math.round(behind)));
      const isLive = t % liveEvery === 0 && liveTaskIds.length < live;
      for (let a = 1; a <= runs; a++) {
        runId++;
        const last = a === runs;
        const status = last ? (isLive ? 'running' : pick(random(), ['succeeded', 0.8], ['failed', 0.93], ['cancelled', 1])) : pick(random(), ['failed', 0.7], ['interrupted', 0.85], ['cancelled', 1]);
        const start = createdAt + a * 60_000;
        const ended = status === 'running' ? null : start + Math.floor(random() * 3_600_000);
        const slug = `${t}-${words.slice(0, 4).join('-')}`;
        insRun.run(
          runId,
          t,
          a,
          status,
          command,
          `/home/someone/.local/share/errand/worktrees/project-${1 + (t % 5)}/${slug}`,
          `errand/${slug}`,
          status === 'succeeded' ? 0 : status === 'failed' ? 1 : null,
          status === 'failed' ? 'exited with code 1' : status === 'cancelled' ? 'cancelled by you' : null,
          Math.floor(random() * 5_000_000),
          start,
          start,
          ended,
        );
        if (last) setCurrent.run(runId, t);
        if (last && isLive) {
          liveTaskIds.push(t);
          liveRunIds.push(runId);
        }
      }
    }
  })();
  const counts = db.prepare('SELECT (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM runs) AS runs').get();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { ...counts, liveTaskIds, liveRunIds, docFrequency: (w) => freq.get(w) ?? 0, words: WORDS, ms: performance.now() - started };
}

function pick(x, ...choices) {
  for (const [value, upTo] of choices) if (x < upTo) return value;
  return choices[choices.length - 1][0];
}
