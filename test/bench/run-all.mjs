// Runs every benchmark in sequence (each in its own process) and prints a summary table.
// It reports; it does not gate: exit code 0 even when a goal is missed, nonzero only when a benchmark crashes.
//   npm run bench                       (builds dist/ first)
//   node test/bench/run-all.mjs [name…]  (e.g. `dispatch scale`; names match bench-<name>.mjs)
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const BENCHES = ['ingestion', 'dispatch', 'scale', 'agent', 'inbox', 'groups', 'review', 'collisions'];
const TIMEOUT_MS = 240_000;

function runOne(name) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...process.execArgv, join(import.meta.dirname, `bench-${name}.mjs`)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rows = [];
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith('BENCH_RESULT ')) rows.push(...JSON.parse(line.slice('BENCH_RESULT '.length)));
        else console.log(line);
      }
    });
    const timer = setTimeout(() => {
      console.error(`bench-${name}: still running after ${TIMEOUT_MS / 1000} s; stopping it`);
      child.kill('SIGTERM');
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (buffer) console.log(buffer);
      resolve({ name, code: code ?? 1, signal, rows, seconds: (performance.now() - started) / 1000 });
    });
  });
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((cell, i) => String(cell).padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !BENCHES.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHES.join(', ')}`);
  process.exit(2);
}
const results = [];
for (const name of wanted.length ? wanted : BENCHES) {
  console.log(`\n── bench-${name} ${'─'.repeat(60)}`);
  results.push(await runOne(name));
}

const lines = [['BENCHMARK', 'ENGINE', 'BASELINE', 'RATIO', 'GOAL', 'RESULT']];
for (const r of results) {
  for (const row of r.rows) lines.push([row.name, row.engine, row.baseline, row.ratio, row.goal, row.pass ? 'PASS' : 'MISS']);
  if (r.code !== 0) lines.push([`bench-${r.name}`, '-', '-', '-', '-', `CRASHED (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`]);
}
console.log(`\n── summary ${'─'.repeat(66)}\n${table(lines)}`);
console.log(`(${results.map((r) => `${r.name} ${r.seconds.toFixed(0)} s`).join(', ')})`);
const crashed = results.filter((r) => r.code !== 0);
process.exit(crashed.length ? 1 : 0);
