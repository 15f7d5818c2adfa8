// Keeps a mirror of the engine (a store) in step with its events: each event carries a sequence number, a snapshot
// says which number it is current as of, and a number skipped means the mirror missed something and must resync.
// Numbers count from 1 at each engine start; a new link (after a reconnect) always begins with a fresh snapshot.

export type SequenceVerdict =
  /** Apply it: it is the next one. */
  | 'apply'
  /** Already in the snapshot: ignore it. */
  | 'stale'
  /** Held until the snapshot arrives (events can overtake the snapshot's answer). */
  | 'held'
  /** Something was missed: take a fresh snapshot. */
  | 'gap';

export class EventSequence<E> {
  private current: number | null = null;
  private held: { event: E; seq: number }[] = [];

  /** Forget the mirror's position: the next snapshot sets it (call when asking for one, and after a reconnect). */
  reset(): void {
    this.current = null;
    this.held = [];
  }

  /** What to do with an event numbered `seq`. */
  accept(event: E, seq: number): SequenceVerdict {
    if (this.current === null) {
      this.held.push({ event, seq });
      return 'held';
    }
    if (seq <= this.current) return 'stale';
    if (seq !== this.current + 1) return 'gap';
    this.current = seq;
    return 'apply';
  }

  /**
   * The snapshot arrived, current as of `seq`: returns the held events to apply on top of it, in order, or 'gap' when
   * some between them were missed.
   */
  snapshotAt(seq: number): E[] | 'gap' {
    this.current = seq;
    const later = this.held.filter((h) => h.seq > seq).sort((a, b) => a.seq - b.seq);
    this.held = [];
    const out: E[] = [];
    for (const h of later) {
      if (h.seq !== this.current + 1) return 'gap';
      this.current = h.seq;
      out.push(h.event);
    }
    return out;
  }
}
