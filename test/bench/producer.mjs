// The ingestion benchmark's agent: waits for a go-ahead file (so start-up is not measured), then prints <bytes>
// as fast as the terminal takes them, in 64 KB writes of 128-byte lines (like the fake agent's `flood`).
//   node producer.mjs <bytes> [go-file]
import { existsSync } from 'node:fs';

const total = Number(process.argv[2]);
const goFile = process.argv[3];
if (!(total >= 0)) {
  console.error('usage: node producer.mjs <bytes> [go-file]');
  process.exit(64);
}
if (goFile) while (!existsSync(goFile)) await new Promise((resolve) => setTimeout(resolve, 10));

const line = Buffer.from('x'.repeat(127) + '\n');
const block = Buffer.alloc(64 * 1024);
for (let i = 0; i < block.length; i += line.length) line.copy(block, i);
const out = (data) => new Promise((resolve) => (process.stdout.write(data) ? resolve() : process.stdout.once('drain', resolve)));
for (let left = total; left > 0; left -= block.length) await out(block.subarray(0, Math.min(left, block.length)));
process.exit(0);
