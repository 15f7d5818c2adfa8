import { describe, expect, it } from 'vitest';
import { EventSequence } from '../../../../shared/protocol/client/event-sequence.js';

describe('EventSequence', () => {
  it('holds events that overtake the snapshot, and applies only those after it', () => {
    const seq = new EventSequence<string>();
    expect(seq.accept('a', 4)).toBe('held');
    expect(seq.accept('b', 5)).toBe('held');
    expect(seq.accept('c', 6)).toBe('held');
    expect(seq.snapshotAt(4)).toEqual(['b', 'c']);
    expect(seq.accept('d', 7)).toBe('apply');
  });

  it('ignores what the snapshot already holds', () => {
    const seq = new EventSequence<string>();
    seq.snapshotAt(10);
    expect(seq.accept('old', 9)).toBe('stale');
    expect(seq.accept('old', 10)).toBe('stale');
    expect(seq.accept('next', 11)).toBe('apply');
  });

  it('says gap when a number is skipped, live or among the held events', () => {
    const live = new EventSequence<string>();
    live.snapshotAt(1);
    expect(live.accept('x', 3)).toBe('gap');
    const held = new EventSequence<string>();
    held.accept('x', 3);
    held.accept('y', 5);
    expect(held.snapshotAt(2)).toBe('gap');
  });

  it('starts over after a reset (a reconnect), holding again until the next snapshot', () => {
    const seq = new EventSequence<string>();
    seq.snapshotAt(50);
    seq.reset();
    expect(seq.accept('after restart', 1)).toBe('held');
    expect(seq.snapshotAt(0)).toEqual(['after restart']);
  });
});
