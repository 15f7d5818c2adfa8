import { describe, expect, it } from 'vitest';
import { ACK_LOW_WATER_BYTES, AckedSink } from '../../../../electron/engine/runner/acked-sink.js';
import type { OutputSink } from '../../../../electron/engine/runner/run-output.js';
import type { EngineEvent } from '../../../../shared/protocol/events.js';

/** A transport that sends at once: only the acknowledgements hold a follower back. */
function transport(): OutputSink & { sent: EngineEvent[] } {
  const sent: EngineEvent[] = [];
  return { id: 7, sent, send: (e) => sent.push(e), bufferedBytes: () => 0, onceDrained: (cb) => cb() };
}

const output = (offset: number, bytes: number): EngineEvent => ({
  type: 'run.output',
  taskId: 1,
  runId: 1,
  offset,
  data: Buffer.alloc(bytes).toString('base64'),
});

describe('AckedSink', () => {
  it('counts what was sent and not acknowledged, from where the follower started', () => {
    const sink = new AckedSink(transport());
    sink.startAt(1000);
    sink.send(output(1000, 300));
    sink.send(output(1300, 200));
    expect(sink.bufferedBytes()).toBe(500);
    expect(sink.ack(1300)).toBe(200);
    // An acknowledgement past what was sent, or going back, changes nothing it should not.
    expect(sink.ack(99_999)).toBe(0);
    expect(sink.ack(1000)).toBe(0);
  });

  it('lets waiting flow go only once the unacknowledged output is down to the low-water mark', () => {
    const sink = new AckedSink(transport());
    sink.startAt(0);
    sink.send(output(0, ACK_LOW_WATER_BYTES * 2));
    let released = 0;
    sink.onceDrained(() => released++);
    expect(released).toBe(0);
    sink.ack(ACK_LOW_WATER_BYTES - 1);
    expect(released).toBe(0);
    sink.ack(ACK_LOW_WATER_BYTES);
    expect(released).toBe(1);
    sink.ack(ACK_LOW_WATER_BYTES * 2);
    expect(released).toBe(1);
  });
});
