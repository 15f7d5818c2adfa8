// Figure 3: dispatch latency. From just before spawning `errand add` to the agent's first step (the fake agent's
// `marker`, which writes Date.now()), median of 50; against spawning the same agent directly with node-pty, from the
// spawn call to its marker, median of 50. Phases come from engine timestamps (task.createdAt, run.startedAt, the
// `running` status event, which the engine sends right after the PTY spawn) and the mtime of a checked-out file.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pty from 'node-pty';
import { FAKE_AGENT, RunWatcher, Sandbox, emitResults, fmt, median, percentile, report, runBench, sleep } from './bench-support.mjs';

const SAMPLES = 50;
const WARMUP = 3;

/** Polls for the marker the agent writes; returns its timestamp (agent's Date.now()). */
async function waitMarker(path, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const text = readFileSync(path, 'utf8');
      if (/^\d+$/.test(text)) return Number(text);
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`no marker at ${path} after ${timeoutMs} ms`);
    await sleep(2);
  }
}

function nodeWall(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve({ ms: performance.now() - started }));
  });
}

function spawnDirect(marker, promptFile, cwd, env) {
  const p = pty.spawn(process.execPath, [FAKE_AGENT, 'marker', marker, 'prompt-file', promptFile], {
    name: 'xterm-256color',
    cols: 120,
    rows: 32,
    cwd,
    env,
    encoding: null,
  });
  p.onData(() => {});
  return new Promise((resolve) => p.onExit(resolve));
}

await runBench(async (track) => {
  const sandbox = track(new Sandbox('bench-dispatch'));
  const repo = sandbox.repo();
  const marker = join(sandbox.root, 'marker');

  // Baseline: the same agent, spawned directly in a PTY by this process.
  const promptFile = join(sandbox.root, 'prompt.txt');
  writeFileSync(promptFile, 'bench dispatch');
  const env = { ...sandbox.env, TERM: 'xterm-256color', COLORTERM: 'truecolor' };
  const direct = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    rmSync(marker, { force: true });
    const t0 = Date.now();
    const exited = spawnDirect(marker, promptFile, repo, env);
    const at = await waitMarker(marker);
    await exited;
    if (i >= WARMUP) direct.push(at - t0);
  }

  // The engine: `errand add` with the real CLI, one at a time, each run ended before the next.
  await sandbox.startEngine();
  await sandbox.profile('go', [process.execPath, FAKE_AGENT, 'marker', marker, 'prompt-file', '{prompt_file}']);
  const watcher = await RunWatcher.start(sandbox.socket);
  const samples = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    rmSync(marker, { force: true });
    const t0 = Date.now();
    const added = sandbox.errand(['add', `bench dispatch ${i}`, '--repo', repo, '--profile', 'go', '--json']);
    const at = await waitMarker(marker);
    const cli = await added;
    if (cli.code !== 0) throw new Error(`errand add exited ${cli.code}: ${cli.stderr}`);
    const task = JSON.parse(cli.stdout);
    await watcher.waitFinal([task.id]);
    const final = watcher.finalOf(task.id);
    if (final.status !== 'succeeded') throw new Error(`task ${task.id} ended ${final.status}: ${final.reason}`);
    const { result } = await watcher.client.request('task.get', { id: task.id });
    const run = result.task.run;
    const running = watcher.statusAt(task.id, 'running');
    let worktreeAt = NaN;
    try {
      worktreeAt = statSync(join(run.worktree, 'README.md')).mtimeMs;
    } catch {
      // leave NaN
    }
    if (i >= WARMUP) {
      samples.push({
        total: at - t0,
        toCreated: task.createdAt - t0,
        toStarted: run.startedAt - task.createdAt,
        toWorktree: worktreeAt - run.startedAt,
        toSpawned: running - worktreeAt,
        toMarker: at - running,
        cliMs: cli.ms,
      });
    }
  }
  watcher.close();

  // Where the CLI's share goes: bare node start, loading the CLI (help needs no engine), and connect + one request.
  const wall = async (args, n = 10) => {
    const times = [];
    for (let i = 0; i < n; i++) {
      const r = args[0] === '-e' ? await nodeWall(args) : await sandbox.errand(args);
      times.push(r.ms);
    }
    return median(times);
  };
  const cliParts = {
    node: await wall(['-e', '']),
    help: await wall(['--help']),
    status: await wall(['daemon', 'status', '--json']),
  };

  const engineMedian = median(samples.map((s) => s.total));
  const directMedian = median(direct);
  console.log(
    `  errand add → agent started: median ${fmt(engineMedian, 1)} ms, p90 ${fmt(percentile(samples.map((s) => s.total), 90), 1)} ms (n=${SAMPLES}); ` +
      `node-pty spawn → agent started: median ${fmt(directMedian, 1)} ms, p90 ${fmt(percentile(direct, 90), 1)} ms (n=${SAMPLES})`,
  );
  const row = report({ name: 'dispatch', engine: engineMedian, baseline: directMedian, unit: 'ms', baselineLabel: 'direct node-pty spawn', goal: 3, digits: 1 });
  const m = (key) => fmt(median(samples.map((s) => s[key]).filter(Number.isFinite)), 1);
  const breakdown = [
    `CLI process start + connect + task.add received (t0 → task.createdAt): ${m('toCreated')} ms ` +
      `[for scale, medians of 10: bare \`node -e ''\` ${fmt(cliParts.node, 1)} ms, \`errand --help\` ${fmt(cliParts.help, 1)} ms, ` +
      `\`errand daemon status\` (connect + 1 request) ${fmt(cliParts.status, 1)} ms]`,
    `engine: task row → run session starts (run.startedAt): ${m('toStarted')} ms`,
    `repo check + worktree creation (git; → the worktree's files checked out, by file mtime): ${m('toWorktree')} ms`,
    `rest of git worktree add, prompt file, free port, PTY spawn (→ 'running' event at): ${m('toSpawned')} ms`,
    `agent process start in its PTY (→ marker): ${m('toMarker')} ms   [direct spawn baseline: ${fmt(directMedian, 1)} ms]`,
    `(\`errand add\` itself returns after ${m('cliMs')} ms, once the task is filed; the run starts behind it)`,
  ];
  console.log(`  ${row.pass ? 'breakdown' : 'breakdown (goal missed)'}, medians:\n    ${breakdown.join('\n    ')}`);
  emitResults([row]);
});
