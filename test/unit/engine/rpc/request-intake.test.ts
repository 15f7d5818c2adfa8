import { describe, expect, it } from 'vitest';
import {
  MAX_REQUEST_CHARS_IN_FLIGHT,
  MAX_REQUESTS_IN_FLIGHT,
  MAX_UNREAD_BYTES,
  RequestIntake,
} from '../../../../electron/engine/rpc/request-intake.js';

/** A transport whose client reads nothing until told, with requests the test finishes by hand. */
function setup() {
  const transport = { unread: 0, reading: true, unreadBytes: () => transport.unread, pauseReading: () => (transport.reading = false), resumeReading: () => (transport.reading = true) };
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  const intake = new RequestIntake<string>(
    transport,
    (message) => {
      started.push(message);
      return new Promise<void>((resolve) => finishers.set(message, resolve));
    },
    (message) => message.length,
  );
  const finish = async (message: string) => {
    finishers.get(message)!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { transport, started, intake, finish };
}

const names = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `r${from + i}`);

describe('RequestIntake', () => {
  it(`handles up to ${MAX_REQUESTS_IN_FLIGHT} requests at once and stops reading until one finishes`, async () => {
    const { transport, started, intake, finish } = setup();
    intake.add(names(MAX_REQUESTS_IN_FLIGHT + 10));
    expect(started).toEqual(names(MAX_REQUESTS_IN_FLIGHT));
    expect(transport.reading).toBe(false);
    await finish('r0');
    expect(started.length).toBe(MAX_REQUESTS_IN_FLIGHT + 1);
    expect(transport.reading).toBe(false);
    for (const name of names(9, 1)) await finish(name);
    expect(started).toEqual(names(MAX_REQUESTS_IN_FLIGHT + 10));
    expect(transport.reading).toBe(true);
  });

  it('takes nothing while the client has too much unread, and goes on once it read it', async () => {
    const { transport, started, intake } = setup();
    transport.unread = MAX_UNREAD_BYTES;
    intake.add(['a', 'b']);
    expect(started).toEqual([]);
    expect(transport.reading).toBe(false);
    transport.unread = 0;
    intake.pump();
    expect(started).toEqual(['a', 'b']);
    expect(transport.reading).toBe(true);
  });

  it('keeps the characters in hand bounded, but always takes one request of any size', async () => {
    const { started, intake, finish } = setup();
    const big = 'x'.repeat(MAX_REQUEST_CHARS_IN_FLIGHT - 10);
    const huge = 'y'.repeat(MAX_REQUEST_CHARS_IN_FLIGHT + 10);
    intake.add([big, 'small', 'z'.repeat(20), huge]);
    expect(started).toEqual([big, 'small']);
    await finish(big);
    await finish('small');
    expect(started.length).toBe(3);
    await finish('z'.repeat(20));
    expect(started.at(-1)).toBe(huge);
  });

  it('forgets what waits once stopped', async () => {
    const { transport, started, intake, finish } = setup();
    intake.add(names(MAX_REQUESTS_IN_FLIGHT + 1));
    intake.stop();
    await finish('r0');
    intake.add(['late']);
    expect(started.length).toBe(MAX_REQUESTS_IN_FLIGHT);
    expect(transport.reading).toBe(false);
  });
});
