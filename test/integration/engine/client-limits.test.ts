// What one client can make the engine hold: whatever it sends or fails to read, the engine's memory grows by a small
// bound, other clients are served meanwhile, and a client that stops reading is paused, then dropped.
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, waitUntil } from '../../support/processes.js';
import { RawSocket } from '../../support/raw-socket.js';
import { Sandbox } from '../../support/sandbox.js';
import { MAX_CLIENT_CONNECTIONS } from '../../../shared/protocol/limits.js';

const MB = 1024 * 1024;
/** How much the engine's resident memory may grow because of one client. */
const RSS_GROWTH_LIMIT_BYTES = 64 * MB;
/** How long any other client may wait for an answer while a bad one does its worst. */
const ANSWER_LIMIT_MS = 5000;

/** The engine's resident memory now, and its peak since the last `resetPeak`, from /proc. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Starts measuring a new peak: writing 5 to clear_refs resets the process's VmHWM to its current RSS. */
function resetPeak(pid: number): number {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  return memory(pid).rss;
}

/** A client that writes and never reads a byte of what the engine sends back. */
class DeafClient {
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.pause();
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
  }

  static open(path: string): Promise<DeafClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(new DeafClient(socket)));
      socket.once('error', reject);
    });
  }
}

/** Asks `engine.status` on another connection until `done()`; returns the slowest answer's time. */
/** How often the probe asks: it measures the engine's answer time meanwhile, it does not wait for anything. */
const PROBE_INTERVAL_MS = 100;

async function keepAsking(socket: RawSocket, done: () => boolean, timeoutMs: number, check?: () => Promise<unknown>): Promise<number> {
  let slowest = 0;
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) {
    await check?.();
    const asked = Date.now();
    const answer = await socket.request('engine.status');
    expect(answer.result?.pid).toBeTypeOf('number');
    slowest = Math.max(slowest, Date.now() - asked);
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
  return slowest;
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

describe.skipIf(process.platform !== 'linux')('what one client can make the engine hold', () => {
  let sb: Sandbox;
  let pid: number;
  let socketPath: string;
  let repo: string;

  beforeAll(async () => {
    sb = new Sandbox();
    await sb.errand(['daemon', 'start']);
    await sb.json(['agents']);
    pid = (await sb.json(['daemon', 'status'])).pid;
    socketPath = join(sb.dataDir, 'engine.sock');
    repo = sb.repo();
    await sb.json(['repo', 'add', repo]);
    await sb.json(['config', 'set', 'max-running', '1']);
    // The first task holds the only slot, so the tasks the tests add stay queued: events without runs.
    await sb.fakeProfile('hold', ['wait-file', join(sb.root, 'never')]);
    await sb.json(['add', 'hold the slot', '--repo', repo, '--profile', 'hold']);
  });
  afterAll(async () => {
    await sb?.cleanup();
  });

  it('pauses, then drops, a client that sends 50,000 requests and reads no answer, and serves others meanwhile', async () => {
    const other = await RawSocket.open(socketPath);
    const baseline = resetPeak(pid);
    const deaf = await DeafClient.open(socketPath);
    const requests = Array.from({ length: 50_000 }, (_, i) => `{"jsonrpc":"2.0","id":${i},"method":"agents.list"}\n`).join('');
    let allTaken = false;
    deaf.socket.write(requests, (error) => (allTaken = !error));

    const slowest = await keepAsking(other, () => deaf.closed || allTaken, 60_000);
    // The old engine took every request at once; give it time to answer them all before measuring.
    if (allTaken) await keepAsking(other, () => false, 3000);
    const dropped = await waitUntil(() => deaf.closed, 'the engine to drop the client that reads nothing', 30_000).catch(() => false);
    const { peak } = memory(pid);
    console.info(`deaf client: engine RSS ${mb(baseline)} → peak ${mb(peak)} (+${mb(peak - baseline)}); slowest other answer ${slowest} ms`);

    expect(peak - baseline).toBeLessThan(RSS_GROWTH_LIMIT_BYTES);
    expect(allTaken, 'the engine stopped reading requests it could not answer').toBe(false);
    expect(dropped).toBe(true);
    expect(slowest).toBeLessThan(ANSWER_LIMIT_MS);
    expect((await other.request('engine.status')).result.pid).toBe(pid);
    other.close();
  }, 120_000);

  const n = Math.floor((7.8 * 1e6) / 2);
  const hostile: [string, () => string][] = [
    ['7.8 MB of nested arrays', () => '['.repeat(n) + ']'.repeat(n)],
    ['7.8 MB of nested objects', () => '{"a":'.repeat(n / 3) + '1' + '}'.repeat(n / 3)],
    ['deep params in a valid envelope', () => `{"jsonrpc":"2.0","id":7,"method":"task.get","params":${'['.repeat(n - 30)}${']'.repeat(n - 30)}}`],
    ['7.8 MB of empty arrays side by side', () => `[${'[],'.repeat(2.6e6)}[]]`],
    ['an object with 600,000 keys', () => `{${Array.from({ length: 600_000 }, (_, i) => `"k${i}":1`).join(',')}}`],
  ];
  it.each(hostile)('refuses %s quickly, unexpanded, and the connection goes on working', async (_what, build) => {
    const line = build() + '\n';
    expect(line.length).toBeGreaterThan(6.5e6);
    const client = await RawSocket.open(socketPath);
    const baseline = resetPeak(pid);
    const sent = Date.now();
    await client.write(line);
    const reply = await client.waitFor((m) => m.error !== undefined, 'the refusal');
    const took = Date.now() - sent;
    const { peak } = memory(pid);
    console.info(`${_what}: engine RSS ${mb(baseline)} → peak ${mb(peak)} (+${mb(peak - baseline)}), answered in ${took} ms: ${reply.error.message}`);

    expect(peak - baseline).toBeLessThan(RSS_GROWTH_LIMIT_BYTES);
    expect(reply.error.code).toBe('invalid_request');
    expect(reply.error.message).toMatch(/nest|values/);
    expect(took).toBeLessThan(ANSWER_LIMIT_MS);
    expect((await client.request('engine.status')).result.pid).toBe(pid);
    client.close();
  }, 60_000);

  it('takes a request of the largest size, and reading it costs a few times its size', async () => {
    const client = await RawSocket.open(socketPath);
    // Two-byte characters up to just under 8 MiB: the largest message the engine accepts.
    const prompt = 'é'.repeat(4_193_000);
    let baseline = resetPeak(pid);
    const refused = await client.request('task.add', { prompt, repo, profile: 'no-such-profile' });
    const parsing = memory(pid).peak - baseline;
    expect(refused.error.code).toBe('not_found');

    baseline = resetPeak(pid);
    const answer = await client.request('task.add', { prompt, repo, profile: 'hold' });
    const adding = memory(pid).peak - baseline;
    console.info(`8 MiB task.add: engine peak RSS +${mb(parsing)} to read and check it, +${mb(adding)} to store and answer it`);
    expect(answer.result?.prompt).toBe(prompt);
    expect(parsing).toBeLessThan(4 * 8 * MB);
    // Storing it writes the prompt three times (task, search index, event history) and echoes it back.
    expect(adding).toBeLessThan(16 * 8 * MB);
    client.close();
  }, 60_000);

  /** Adds `count` queued tasks whose task.created events carry `promptBytes` each. */
  async function addBigTasks(client: RawSocket, count: number, promptBytes: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const answer = await client.request('task.add', { prompt: `${i} ${'w'.repeat(promptBytes)}`, repo, profile: 'hold' });
      ids.push(answer.result.id);
    }
    return ids;
  }

  it('keeps a watcher that stops reading for a while, and it gets every event', async () => {
    const watcher = await RawSocket.open(socketPath);
    await watcher.request('events.subscribe');
    const client = await RawSocket.open(socketPath);
    watcher.pause();
    const ids = await addBigTasks(client, 6, MB);
    // Everything was sent while it read nothing; then it reads.
    watcher.resume();
    for (const id of ids) {
      const created = await watcher.waitFor((m) => m.params?.type === 'task.created' && m.params.task.id === id, `task ${id} created`);
      expect(created.params.task.prompt.length).toBe(MB + String(ids.indexOf(id)).length + 1);
    }
    expect(watcher.closed).toBe(false);
    watcher.close();
    client.close();
  }, 60_000);

  it('drops a watcher that never reads its events, and serves others meanwhile', async () => {
    const client = await RawSocket.open(socketPath);
    const clients = async () => (await client.request('engine.status')).result.clients as number;
    const without = await clients();
    const deaf = await DeafClient.open(socketPath);
    deaf.socket.write('{"jsonrpc":"2.0","id":1,"method":"events.subscribe"}\n');
    await waitUntil(async () => (await clients()) === without + 1, 'the watcher to connect');
    await addBigTasks(client, 6, MB);
    // A paused socket does not see its end, so ask the engine whom it still serves.
    let gone = false;
    const slowest = await keepAsking(client, () => gone, 30_000, async () => (gone = (await clients()) === without));
    expect(gone, 'the engine dropped the watcher that reads nothing').toBe(true);
    expect(slowest).toBeLessThan(ANSWER_LIMIT_MS);
    client.close();
  }, 60_000);

  it('refuses connections past its most with a clear error, and takes new ones once some close', async () => {
    const held: RawSocket[] = [];
    try {
      // Less the status request's own connection, which closes with its answer.
      const open = ((await sb.json(['daemon', 'status'])).clients as number) - 1;
      for (let n = open; n < MAX_CLIENT_CONNECTIONS; n++) held.push(await RawSocket.open(socketPath));
      const refused = await RawSocket.open(socketPath);
      const answer = await refused.waitFor((m) => m.error, 'the refusal');
      expect(answer.error.code).toBe('too_many_connections');
      expect(answer.error.message).toMatch(/already serves 256 connections.*Close some clients/);
      await refused.waitClosed();
      // The ones it took are served, and one closing makes room.
      expect((await held[0]!.request('engine.status')).result.clients).toBe(MAX_CLIENT_CONNECTIONS);
      held.pop()!.close();
      const status = await sb.json(['daemon', 'status']);
      expect(status.pid).toBe(pid);
    } finally {
      for (const socket of held) socket.close();
    }
  }, 60_000);

  // Last: it stops the engine.
  it('stops promptly while a client that reads nothing holds unread events', async () => {
    const deaf = await DeafClient.open(socketPath);
    deaf.socket.write('{"jsonrpc":"2.0","id":1,"method":"events.subscribe"}\n');
    const client = await RawSocket.open(socketPath);
    await addBigTasks(client, 2, MB);
    client.close();
    // The CLI waits 10 s for the engine to exit once it said goodbye: the engine must not wait for the deaf client.
    const stop = await sb.errand(['daemon', 'stop', '--force']);
    expect(stop.stderr).toBe('');
    expect(stop.code).toBe(0);
    expect(isAlive(pid)).toBe(false);
  }, 60_000);
});
