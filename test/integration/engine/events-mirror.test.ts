// Events a store can mirror, seen through the shared client core over the real socket: numbered without a gap after
// the snapshot's number, progress pushed as it changes, and run.status carrying what a list row shows.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SocketClient } from '../../../electron/client/socket-client.js';
import { EventSequence } from '../../../shared/protocol/client/event-sequence.js';
import { dataDirLayout } from '../../../shared/data-dir.js';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { EventWatcher, startWatchedEngine, stopWatchedEngine } from '../../support/event-watcher.js';
import { Sandbox } from '../../support/sandbox.js';

type RunStatusEvent = Extract<EngineEvent, { type: 'run.status' }>;

describe('events a store can mirror', () => {
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

  it('numbers every event after the snapshot without a gap, pushes progress, and puts a list row in run.status', async () => {
    const repo = sb.repo();
    await sb.fakeProfile('editor', ['edit', 'a.txt', 'hi', 'say', 'edited', 'sleep', '2500']);
    await sb.json(['add', 'warm up', '--repo', repo, '--profile', 'editor']);
    await watch.status(1, 'succeeded');

    const seen: { event: EngineEvent; seq: number | null }[] = [];
    let taskEnded = () => {};
    const ending = new Promise<void>((resolve) => (taskEnded = resolve));
    client.onEvent((event, seq) => {
      seen.push({ event, seq });
      if (event.type === 'run.status' && event.taskId === 2 && event.ended) taskEnded();
    });
    const sequence = new EventSequence<EngineEvent>();
    const snapshot = await client.request('events.subscribe');
    // The warm-up's events came before: the snapshot is current as of them.
    expect(snapshot.seq).toBeGreaterThan(0);
    expect(snapshot.tasks.map((t) => t.id)).toEqual([1]);
    expect(sequence.snapshotAt(snapshot.seq)).toEqual([]);

    await sb.json(['add', 'edit a file', '--repo', repo, '--profile', 'editor']);
    await ending;

    expect(seen.every((s) => s.seq !== null)).toBe(true);
    expect(seen[0]!.seq).toBe(snapshot.seq + 1);
    expect(seen.map((s) => sequence.accept(s.event, s.seq!))).toEqual(seen.map(() => 'apply'));

    const progress = seen.map((s) => s.event).filter((e) => e.type === 'run.progress' && e.taskId === 2);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toContainEqual(expect.objectContaining({ progress: expect.objectContaining({ filesChanged: 1 }) }));
    const running = progress.findIndex((e) => e.type === 'run.progress');
    const ended = seen.findIndex((s) => s.event.type === 'run.status' && s.event.taskId === 2 && s.event.ended);
    expect(seen.findIndex((s) => s.event === progress[running])).toBeLessThan(ended);

    const final = seen[ended]!.event as RunStatusEvent;
    expect(final).toMatchObject({ status: 'succeeded', attempt: 1, progress: { filesChanged: 1 }, startedAt: expect.any(Number), endedAt: expect.any(Number) });
  });

  it('gives a client that reconnects a fresh snapshot as of the engine\'s current number', async () => {
    const first = await client.request('events.subscribe');
    const repo = sb.repo();
    await sb.fakeProfile('quick', ['say', 'hi']);
    await sb.json(['add', 'one', '--repo', repo, '--profile', 'quick']);
    await watch.status(1, 'succeeded');
    const again = await SocketClient.connect(dataDirLayout(sb.dataDir).socket);
    const second = await again.request('events.subscribe');
    again.close();
    expect(second.seq).toBeGreaterThan(first.seq);
    expect(second.tasks.map((t) => t.id)).toEqual([1]);
  });
});

