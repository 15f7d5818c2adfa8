// Baseline for ingestion: a bare process that runs N producers in node-pty, reads their output and discards it.
//   node pty-reader-baseline.mjs <count> <go-file> -- <file> [args…]
// The producers wait for <go-file>; this process creates it once all are spawned, and measures its own CPU
// (process.cpuUsage) from then until the last producer exits. Prints one JSON line:
//   { cpuSeconds, userSeconds, systemSeconds, bytes, wallMs }
import { writeFileSync } from 'node:fs';
import pty from 'node-pty';

const sep = process.argv.indexOf('--');
const count = Number(process.argv[2]);
const goFile = process.argv[3];
const [file, ...args] = process.argv.slice(sep + 1);
if (!(count > 0) || sep !== 4 || !file) {
  console.error('usage: node pty-reader-baseline.mjs <count> <go-file> -- <file> [args…]');
  process.exit(2);
}

const env = { ...process.env, TERM: 'xterm-256color', COLORTERM: 'truecolor' };
let bytes = 0;
const exits = Array.from({ length: count }, () => {
  // The same options the engine's PtyProcess uses: Buffers, not strings.
  const p = pty.spawn(file, args, { name: 'xterm-256color', cols: 120, rows: 32, cwd: process.cwd(), env, encoding: null });
  p.onData((data) => {
    bytes += data.length;
  });
  return new Promise((resolve) => p.onExit(resolve));
});
// Let the producers start up (node boot) before the clock starts, as the engine benchmark does.
await new Promise((resolve) => setTimeout(resolve, 1000));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
writeFileSync(goFile, 'go');
await Promise.all(exits);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6, userSeconds: cpu.user / 1e6, systemSeconds: cpu.system / 1e6, bytes, wallMs: performance.now() - t0 })}\n`,
);
process.exit(0);
