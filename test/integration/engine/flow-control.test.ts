import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SUBSCRIBER_MAX_STALL_MS } from '../../../electron/engine/runner/run-output.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { waitUntil } from '../../support/processes.js';
import { ERRAND_BIN, Sandbox } from '../../support/sandbox.js';

const MB = 1024 * 1024;
/** The fake agent's flood is lines of 127 'x' and a newline, which the terminal turns into CR LF. */
const FLOOD_LINE = 'x'.repeat(127);

/** A client on the engine's socket that follows one run's output and can stop reading, as a stuck client would. */
class Subscriber {
  /** Where the live output starts in the log, from the subscription's answer. */
  offset = -1;
  runId = -1;
  /** The log offset up to which output arrived, with no gap. */
  receivedTo = -1;
  gaps: string[] = [];
  dropped: { offset: number; reason: string } | null = null;
  private pending: Buffer[] = [];
  private answered: ((result: any) => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
  }

  static open(path: string): Promise<Subscriber> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(new Subscriber(socket)));
      socket.once('error', reject);
    });
  }

  async subscribe(taskId: number): Promise<void> {
    const result = await new Promise<any>((resolve) => {
      this.answered = resolve;
      this.socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'run.subscribe', params: { taskId } })}\n`);
    });
    this.offset = this.receivedTo = result.offset;
    this.runId = result.runId;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let nl = chunk.indexOf(0x0a);
    if (nl === -1) {
      this.pending.push(chunk);
      return;
    }
    let start = 0;
    while (nl !== -1) {
      const line = this.pending.length ? Buffer.concat([...this.pending, chunk.subarray(start, nl)]) : chunk.subarray(start, nl);
      this.pending = [];
      this.onMessage(JSON.parse(line.toString()));
      start = nl + 1;
      nl = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }

  private onMessage(message: any): void {
    if (message.id === 1) {
      this.answered?.(message.result);
      return;
    }
    const event = message.params;
    if (event?.type === 'run.output') {
      if (event.offset !== this.receivedTo) this.gaps.push(`expected output at ${this.receivedTo}, got ${event.offset}`);
      // base64 length → byte length, without decoding megabytes we only count.
      const data: string = event.data;
      const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
      this.receivedTo = event.offset + (data.length / 4) * 3 - padding;
    } else if (event?.type === 'run.dropped') {
      this.dropped = { offset: event.offset, reason: event.reason };
    }
  }
}

/** Polls the log size until it has not changed for `stillMs`; returns that size. */
async function waitForStillLog(path: string, stillMs: number, timeoutMs = 20_000): Promise<number> {
  let size = -1;
  let since = Date.now();
  await waitUntil(
    () => {
      const now = statSync(path).size;
      if (now !== size) [size, since] = [now, Date.now()];
      return size > 0 && Date.now() - since >= stillMs;
    },
    `${path} to stop growing`,
    timeoutMs,
    50,
  );
  return size;
}

/** Checks the log holds the whole flood, every line once and whole, and what the agent printed after it. */
function expectWholeFlood(path: string, bytes: number): void {
  const lines = readFileSync(path, 'latin1').split('\r\n');
  const whole = lines.filter((l) => l === FLOOD_LINE).length;
  const broken = lines.map((l, i) => [i, l] as const).filter(([, l]) => l.includes('xxxxxxxx') && l !== FLOOD_LINE);
  const context = `${whole} whole lines; broken: ${JSON.stringify(broken.map(([i, l]) => `${i}: ${l.length}`))}; ends ${JSON.stringify(lines.slice(-3).map((l) => l.slice(0, 20)))}`;
  expect(whole, context).toBe(bytes / (FLOOD_LINE.length + 1));
  expect(broken, context).toEqual([]);
  expect(lines, context).toContain('flood done');
}

describe('flow control between an agent and its subscribers', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  const subscribers: Subscriber[] = [];

  beforeEach(async () => ({ sb, watch } = await startWatchedEngine()));
  afterEach(async () => {
    for (const s of subscribers.splice(0)) s.close();
    await stopWatchedEngine({ sb, watch });
  });

  /** Task 1 floods `bytes` once the test lets it go; a subscriber follows it from before the flood. */
  async function floodingTask(bytes: number): Promise<{ go: () => void; sub: Subscriber; log: string }> {
    const repo = sb.repo();
    const go = join(sb.root, 'go');
    await sb.fakeProfile('flood', ['say', 'ready', 'wait-file', go, 'flood', String(bytes), 'say', 'flood done']);
    await sb.json(['add', 'flood', '--repo', repo, '--profile', 'flood']);
    await watch.status(1, 'running');
    await waitUntil(async () => (await sb.errand(['logs', '1'])).stdout.includes('ready'), 'the agent to be ready');
    const sub = await Subscriber.open(join(sb.dataDir, 'engine.sock'));
    subscribers.push(sub);
    await sub.subscribe(1);
    return { go: () => writeFileSync(go, ''), sub, log: join(sb.dataDir, 'runs', String(sub.runId), 'output.log') };
  }

  it('pauses the agent while a subscriber stops reading, serves other clients meanwhile, and resumes with nothing lost', async () => {
    const bytes = 50 * MB;
    const { go, sub, log } = await floodingTask(bytes);
    sub.pause();
    go();

    // The log stops growing far short of the flood: the PTY is paused, not buffering the flood in memory.
    const stalledAt = await waitForStillLog(log, 1000);
    expect(stalledAt).toBeGreaterThan(sub.offset);
    expect(stalledAt).toBeLessThan(10 * MB);
    expect((await sb.json(['show', '1'])).task.status).toBe('running');

    // Another client is not held up by the stuck one.
    const asked = Date.now();
    const ls = await sb.json(['ls']);
    expect(Date.now() - asked).toBeLessThan(5000);
    expect(ls.tasks[0]).toMatchObject({ id: 1, status: 'running' });
    expect(statSync(log).size).toBe(stalledAt);

    sub.resume();
    await watch.status(1, 'succeeded', 120_000);
    const size = statSync(log).size;
    await waitUntil(() => sub.receivedTo === size, 'the subscriber to receive all output', 60_000);
    expect(sub.gaps).toEqual([]);
    expect(sub.dropped).toBeNull();
    expectWholeFlood(log, bytes);
  }, 180_000);

  it('drops a subscriber that never reads, after which the agent goes on to the end', async () => {
    const bytes = 20 * MB;
    const { go, sub, log } = await floodingTask(bytes);
    sub.pause();
    const started = Date.now();
    go();

    const stalledAt = await waitForStillLog(log, 1000);
    expect(stalledAt).toBeLessThan(10 * MB);
    await watch.status(1, 'succeeded', 120_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SUBSCRIBER_MAX_STALL_MS);
    expectWholeFlood(log, bytes);

    // What it had been sent is still waiting for it, ending with the notice that its stream stopped.
    sub.resume();
    await waitUntil(() => sub.dropped !== null, 'the run.dropped notice', 30_000);
    expect(sub.gaps).toEqual([]);
    expect(sub.receivedTo).toBe(sub.dropped!.offset);
    expect(sub.dropped!.offset).toBeLessThan(statSync(log).size);
  }, 180_000);

  it('`errand logs --follow` that falls behind is dropped, catches up from the log, and prints everything exactly once', async () => {
    const bytes = 20 * MB;
    const { go, sub, log } = await floodingTask(bytes);
    sub.close();
    const follow = spawn(process.execPath, [ERRAND_BIN, 'logs', '1', '--follow'], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    follow.stdout.on('data', (d: Buffer) => chunks.push(d));
    follow.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const followExit = new Promise<number | null>((resolve) => follow.on('close', (code) => resolve(code)));
    await waitUntil(() => Buffer.concat(chunks).toString().includes('ready'), 'the follower to print what came before');
    // The reader of its output stops reading: the follower stops reading the engine, and the engine pauses the agent.
    follow.stdout.pause();
    const started = Date.now();
    go();
    const stalledAt = await waitForStillLog(log, 1000);
    expect(stalledAt).toBeLessThan(10 * MB);
    // After the stall limit the engine drops the follower and lets the agent go on.
    await watch.status(1, 'succeeded', 120_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SUBSCRIBER_MAX_STALL_MS);

    follow.stdout.resume();
    expect(await followExit).toBe(0);
    expect(stderr).toBe('');
    expectWholeFlood(log, bytes);
    const printed = Buffer.concat(chunks);
    expect(printed.length).toBe(statSync(log).size);
    expect(printed.equals(readFileSync(log))).toBe(true);
  }, 180_000);
});
