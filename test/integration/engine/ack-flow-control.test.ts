// Terminal flow control for a client that cannot push back (a browser over a WebSocket reads everything at once): it
// acknowledges the output it has rendered, and the agent pauses while too much is unacknowledged.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SocketClient } from '../../../electron/client/socket-client.js';
import { SUBSCRIBER_HIGH_WATER_BYTES } from '../../../electron/engine/runner/run-output.js';
import { dataDirLayout } from '../../../shared/data-dir.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { waitUntil } from '../../support/processes.js';
import { Sandbox } from '../../support/sandbox.js';

const MB = 1024 * 1024;
const ACK_EVERY_BYTES = 256 * 1024;

describe('flow control by acknowledgement', () => {
  let sb: Sandbox;
  let watch: EventWatcher;
  let client: SocketClient;

  beforeEach(async () => {
    ({ sb, watch } = await startWatchedEngine());
    client = await SocketClient.connect(dataDirLayout(sb.dataDir).socket);
  });
  afterEach(async () => {
    client.close();
    await stopWatchedEngine({ sb, watch });
  });

  it('pauses the agent while the follower has not acknowledged, and goes on as it does, with nothing lost', async () => {
    const bytes = 20 * MB;
    const repo = sb.repo();
    const go = join(sb.root, 'go');
    await sb.fakeProfile('flood', ['say', 'ready', 'wait-file', go, 'flood', String(bytes), 'say', 'flood done']);
    await sb.json(['add', 'flood', '--repo', repo, '--profile', 'flood']);
    await watch.status(1, 'running');
    await waitUntil(async () => (await sb.errand(['logs', '1'])).stdout.includes('ready'), 'the agent to be ready');

    let receivedTo = -1;
    let acking = false;
    let ackedTo = 0;
    const gaps: string[] = [];
    const dropped: string[] = [];
    client.onEvent((event) => {
      if (event.type === 'run.dropped') dropped.push(event.reason);
      if (event.type !== 'run.output') return;
      if (event.offset !== receivedTo) gaps.push(`expected ${receivedTo}, got ${event.offset}`);
      receivedTo = event.offset + Buffer.byteLength(event.data, 'base64');
      if (acking && receivedTo - ackedTo >= ACK_EVERY_BYTES) ack();
    });
    const ack = () => {
      ackedTo = receivedTo;
      void client.request('run.ack', { taskId: 1, offset: receivedTo });
    };
    const sub = await client.request('run.subscribe', { taskId: 1, ack: true });
    receivedTo = ackedTo = sub.offset;
    const log = join(sb.dataDir, 'runs', String(sub.runId), 'output.log');
    writeFileSync(go, '');

    // Everything sent was read at once, yet the log stops growing near the high-water mark: nothing was acknowledged.
    const stalledAt = await waitForStillLog(log, 1000);
    expect(stalledAt).toBeLessThan(sub.offset + 4 * SUBSCRIBER_HIGH_WATER_BYTES);
    await waitUntil(() => receivedTo === stalledAt, 'the follower to have read all it was sent');
    expect((await client.request('run.ack', { taskId: 1, offset: sub.offset })).unacked).toBe(stalledAt - sub.offset);

    acking = true;
    ack();
    await watch.status(1, 'succeeded', 120_000);
    const size = statSync(log).size;
    await waitUntil(() => receivedTo === size, 'the follower to receive all output', 60_000);
    expect(size).toBeGreaterThan(bytes);
    expect(gaps).toEqual([]);
    expect(dropped).toEqual([]);
  }, 180_000);

  it('refuses an acknowledgement for a run the connection does not follow with acks', async () => {
    const error = await client.request('run.ack', { taskId: 1, offset: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'conflict', message: expect.stringContaining('subscribe with ack first') });
  });
});

/** Polls the log size until it has not changed for `stillMs`; returns that size. */
async function waitForStillLog(path: string, stillMs: number, timeoutMs = 20_000): Promise<number> {
  let size = -1;
  let since = Date.now();
  await waitUntil(
    () => {
      let now = 0;
      try {
        now = statSync(path).size;
      } catch {
        return false;
      }
      if (now !== size) [size, since] = [now, Date.now()];
      return size > 0 && Date.now() - since >= stillMs;
    },
    `${path} to stop growing`,
    timeoutMs,
    50,
  );
  return size;
}
